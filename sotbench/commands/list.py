"""``sotbench list``: the built-in datasets, trackers, presets (and metric profiles)."""

from __future__ import annotations

import argparse

EPILOG = """examples:
  sotbench list trackers
  sotbench list presets
"""

KINDS = ("datasets", "trackers", "presets", "profiles")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=KINDS, help="what to list")


def main(args: argparse.Namespace) -> int:
    if args.kind == "datasets":
        from sotbench.datasets import DATASETS, dataset_class
        from sotbench.protocols import dataset_protocols

        for name in DATASETS:
            spec = dataset_class(name).spec  # its own protocol first, then those --protocol may name
            print(f"{name:14s} {spec.title} ({', '.join(dataset_protocols(spec))}; splits: {', '.join(spec.splits)})")
    elif args.kind == "trackers":
        from sotbench.trackers import TRACKERS, resolve_definition, tracker_names

        for name in tracker_names():
            if name not in TRACKERS:
                print(f"{name:14s} (installed plugin)")
                continue
            d = resolve_definition(name)
            own = "; own batch backend" if d.batch_backend is not None else ""
            print(f"{name:14s} {d.description}{own}")
    elif args.kind == "profiles":
        from sotbench.metrics.profiles import PROFILES

        for name, prof in PROFILES.items():
            print(f"{name:16s} {prof.toolkit} ({', '.join(prof.protocols)})")
    else:
        from sotbench.presets import builtin_presets, load_preset, preset_summary

        for name, path in builtin_presets().items():
            print(f"{name:28s} {preset_summary(load_preset(path))}")
    return 0
