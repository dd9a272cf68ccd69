"""Which run folders go into a report: named ones (``--runs``) and every tracker folder under a
results root (``--results-root``), checked against the dataset being reported."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sotbench.report.board import ReportError

__all__ = ["RunRef", "find_runs", "check_manifests", "has_results"]

_SKIP = {"scores", "plots", "__pycache__"}


@dataclass(frozen=True)
class RunRef:
    """A run folder and the name it gets in the leaderboard (the folder name); a run repeated
    with run ids (``<run>_000``, ``<run>_001`` ...) is one entry named ``<run>`` with its
    ``members`` (``(run-id name, folder)``), scored as their mean."""

    name: str
    path: Path
    members: tuple[tuple[str, Path], ...] = ()


def has_results(folder: Path) -> bool:
    """Whether ``folder`` holds result files of any known layout (flat, got10k, VOT baseline)."""
    if not folder.is_dir():
        return False
    if (folder / "baseline").is_dir() or (folder / "run.json").is_file():
        return True
    if any(p.suffix == ".txt" and not p.name.endswith("_time.txt") for p in folder.iterdir()):
        return True
    return any(sub.is_dir() and any(sub.glob(f"{sub.name}_001.txt")) for sub in folder.iterdir())


def _benchmark_folder(root: Path, folder: str, split: str, default_split: str) -> Path:
    """``root/<Dataset>[-split]`` when ``root`` is a results root of several benchmarks."""
    names = [f"{folder}-{split}"] if split != default_split else [folder, f"{folder}-{split}"]
    for name in names:
        if (root / name).is_dir():
            return root / name
    return root


def _protocol_ref(path: Path, folder: str | None) -> RunRef | None:
    """The run at ``path`` for a protocol kept in ``folder`` (``<run>/tre``), if it has results there."""
    if folder is None:
        return RunRef(path.name, path) if has_results(path) else None
    if path.name == folder and has_results(path):
        return RunRef(path.parent.name, path)
    return RunRef(path.name, path / folder) if has_results(path / folder) else None


def find_runs(dataset, runs=(), results_roots=(), protocol: str | None = None) -> list[RunRef]:
    """Run folders from ``runs`` and from every tracker folder under each of ``results_roots``;
    for a ``protocol`` kept in a sub-folder (TRE, SRE, long-term), that sub-folder of each."""
    from sotbench.protocols import run_protocol

    folder = run_protocol(protocol or dataset.protocol).folder
    found: list[RunRef] = []
    for run in runs:
        path = Path(run)
        if not path.is_dir():
            raise ReportError(f"run folder {path} does not exist")
        ref = _protocol_ref(path, folder)
        if ref is None:
            where = f" ({folder}/ results expected: {path / folder}/<seq>/<seq>_001.txt)" if folder else \
                " (expected <seq>.txt, <seq>/<seq>_001.txt or baseline/<seq>/<seq>_001.txt)"
            raise ReportError(f"{path} holds no result files{where}")
        found.append(ref)
    for root in results_roots:
        root = Path(root)
        if not root.is_dir():
            raise ReportError(f"results root {root} does not exist")
        base = _benchmark_folder(root, dataset.spec.folder, dataset.split, dataset.spec.default_split)
        subs = sorted(p for p in base.iterdir() if p.is_dir() and p.name not in _SKIP and not p.name.startswith("."))
        refs = [r for r in (_protocol_ref(p, folder) for p in subs) if r is not None]
        if not refs:
            expect = f"{base}/<tracker>/{folder}/<seq>/<seq>_001.txt" if folder else f"{base}/<tracker>/<seq>.txt"
            raise ReportError(f"no tracker folders with results under {base} (expected {expect})")
        found += refs
    if not found:
        raise ReportError("no runs given: name run folders with --runs or a folder of them with --results-root")
    return _unique(_group_run_ids(found, folder))


def _group_run_ids(refs: list[RunRef], folder: str | None) -> list[RunRef]:
    """Run-id folders of one run (``ncc_000``, ``ncc_001``: pytracking's run ids) as one entry."""
    from sotbench.repeats import group_run_ids

    run_folder = {r.path.parent if folder and r.path.name == folder else r.path: r for r in refs}
    groups = group_run_ids(list(run_folder))
    grouped = {p for members in groups.values() for p in members}
    out = [r for p, r in run_folder.items() if p not in grouped]
    for base, members in groups.items():
        refs_of = [run_folder[p] for p in members]
        out.append(RunRef(base, refs_of[0].path, tuple((r.name, r.path) for r in refs_of)))
    return sorted(out, key=lambda r: r.name.lower())


def _unique(runs: list[RunRef]) -> list[RunRef]:
    """Drop the same folder named twice; two different folders with one name are an error."""
    out: dict[str, RunRef] = {}
    for r in runs:
        prev = out.get(r.name)
        if prev is not None and prev.path.resolve() != r.path.resolve():
            raise ReportError(f"two runs are named {r.name!r}: {prev.path} and {r.path} "
                              "(leaderboard names are folder names; rename one)")
        out.setdefault(r.name, r)
    return list(out.values())


def check_manifests(runs: list[RunRef], dataset) -> None:
    """Refuse runs whose run.json says they were made on another dataset or split."""
    wrong = []
    for r in runs:
        manifest = r.path / "run.json"
        if not manifest.is_file():
            continue  # imported results: the evaluator matches files to sequences
        try:
            info = json.loads(manifest.read_text()).get("dataset") or {}
        except (OSError, ValueError) as exc:
            raise ReportError(f"{manifest}: unreadable run manifest ({exc})") from None
        key, split = info.get("key"), info.get("split", dataset.split)
        if key is not None and (key != dataset.key or split != dataset.split):
            wrong.append(f"{r.name} ({key}/{split}, {manifest})")
    if wrong:
        raise ReportError(f"runs of another dataset than {dataset.key}/{dataset.split}: " + "; ".join(wrong)
                          + ". Report each dataset separately (--dataset)")
