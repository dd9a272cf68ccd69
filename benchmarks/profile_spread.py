"""The spread between toolkits: the same bundled raw results scored under every OPE profile.

Prints the markdown table of docs/profiles.md (success AUC / precision / normalized precision
per profile).  Usage: ``python benchmarks/profile_spread.py [--data ../shared/data]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sotbench.datasets import load_dataset
from sotbench.evaluate import EvaluationError, evaluate
from sotbench.metrics.profiles import PROFILES

CASES = (("otb100", "annotations/OTB100/pysot", "OTB100", ("SiamRPN++", "SiamRPN")),
         ("uav123", "annotations/UAV123", "UAV123", ("SRDCF", "TLD")),
         ("lasot", "annotations/LaSOT", "LaSOT", ("SiamRPN++", "ATOM")))


def _cell(dataset, run: Path, profile: str) -> str:
    try:
        o = evaluate(dataset, run, profile, write=False).overall
    except EvaluationError as exc:
        return "refused (NaN boxes)" if "NaN" in str(exc) else "refused"
    return f"{o['success_auc']:.4f} / {o['precision']:.4f} / {o['norm_precision']:.4f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    names = [n for n, p in PROFILES.items() if "ope" in p.protocols]
    print("| benchmark / tracker | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key, ann, folder, trackers in CASES:
        dataset = load_dataset(key, root=args.data / ann)
        for tracker in trackers:
            run = args.data / "results" / folder / tracker
            print(f"| {key} {tracker} | " + " | ".join(_cell(dataset, run, n) for n in names) + " |")


if __name__ == "__main__":
    main()
