"""Which run folders go into a report: named ones (``--runs``) and every tracker folder under a
results root (``--results-root``), checked against the dataset being reported."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sotbench.report.board import ReportError

__all__ = ["RunRef", "find_runs", "check_manifests", "has_results", "unfinished_reason", "colour_universe",
           "results_root_of", "display_names"]

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


def _manifest(run: RunRef) -> dict | None:
    """The run's run.json (``None`` for imported results); raises ``ValueError`` when unreadable."""
    path = run.path / "run.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: unreadable run manifest ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: unreadable run manifest (expected a JSON object)")
    return data


def unfinished_reason(run: RunRef) -> str | None:
    """Why ``run`` cannot be reported yet (one line), or ``None``: its run.json is unreadable, or
    says the run has not finished (it may still be writing results)."""
    try:
        manifest = _manifest(run)
    except ValueError as exc:
        return str(exc)
    if manifest is not None and manifest.get("status") == "running":
        return (f"unfinished: {run.path / 'run.json'} says status 'running' (started {manifest.get('started', '?')}); "
                "it is still running or was stopped: `sotbench run` with the same arguments resumes it")
    return None


def check_manifests(runs: list[RunRef], dataset) -> None:
    """Refuse runs whose run.json says they were made on another dataset or split."""
    wrong = []
    for r in runs:
        try:
            manifest = _manifest(r)
        except ValueError:
            continue  # skipped by the report, with the reason (unfinished_reason)
        if manifest is None:
            continue  # imported results: the evaluator matches files to sequences
        info = manifest.get("dataset") or {}
        key, split = info.get("key"), info.get("split", dataset.split)
        if key is not None and (key != dataset.key or split != dataset.split):
            wrong.append(f"{r.name} ({key}/{split}, {r.path / 'run.json'})")
    if wrong:
        raise ReportError(f"runs of another dataset than {dataset.key}/{dataset.split}: " + "; ".join(wrong)
                          + ". Report each dataset separately (--dataset)")


def _benchmark_folders() -> set[str]:
    """The folder names ``sotbench run`` files runs under (``OTB100``, ``VOT2018``, ``custom`` ...)."""
    from sotbench.datasets import DATASETS, dataset_class

    out = set()
    for key in DATASETS:
        try:
            out.add(dataset_class(key).spec.folder or key)
        except (ValueError, ImportError, AttributeError):
            continue
    return out


def _is_benchmark_folder(name: str, folders: set[str]) -> bool:
    return name in folders or any(name.startswith(f"{f}-") for f in folders)  # <Dataset>-<split>


def results_root_of(run_dir: Path, folders: set[str] | None = None) -> Path:
    """The results root a run folder belongs to: ``R`` for ``R/<Dataset>[-split]/<run>``, else its parent."""
    folders = _benchmark_folders() if folders is None else folders
    parent = Path(run_dir).parent
    return parent.parent if _is_benchmark_folder(parent.name, folders) else parent


def _tracker_folders(folder: Path) -> list[str]:
    try:
        subs = sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []
    return [p.name for p in subs if p.name not in _SKIP and not p.name.startswith(".") and has_results(p)]


def colour_universe(run_dirs: list[Path], results_roots: list[Path] = ()) -> list[str]:
    """Every run folder name of the results roots that ``run_dirs`` and ``results_roots`` belong to
    (over all benchmarks of a ``sotbench run --out`` root): the names tracker colours are assigned
    over, so every report of one results root draws a tracker in the same colour."""
    folders = _benchmark_folders()
    roots = {results_root_of(Path(r), folders) for r in run_dirs}
    for root in results_roots:
        root = Path(root)
        roots.add(root.parent if _is_benchmark_folder(root.name, folders) else root)
    names: set[str] = set()
    for root in roots:
        if not root.is_dir():
            continue
        bench = [p for p in root.iterdir() if p.is_dir() and _is_benchmark_folder(p.name, folders)]
        for folder in bench or [root]:
            names.update(_tracker_folders(folder))
    return sorted(names)


def display_names(runs: list[RunRef], mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Run name -> display name: ``mapping`` first, else the ``display_name`` its run.json records."""
    out = {}
    for r in runs:
        try:
            manifest = _manifest(r) or {}
        except ValueError:
            manifest = {}  # unreadable: the run is skipped with the reason
        label = manifest.get("display_name")
        if isinstance(label, str) and label.strip():
            out[r.name] = label.strip()
    out.update(mapping or {})
    return out
