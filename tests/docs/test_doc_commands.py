"""Every ``sotbench`` command the docs show parses, and the ones that can run offline run.

Commands are the lines starting with ``sotbench `` in the code blocks of README.md, docs/**/*.md,
datasets/README.md and trackers/README.md and in every command's ``--help`` epilog
(``doc_commands.py``).  Each one is classified here, once:

* run in a ``SCENARIOS`` workspace: a temporary working directory with ``$SOTBENCH_DATA`` and
  ``$SOTBENCH_WEIGHTS`` pointing into it (small data trees made from ../shared: a 3-frame OTB100
  in pysot's JSON layout, 12 frames of VOT2018 bag, the golden-fixture weights, copies of the
  bundled raw results), with the outputs the docs promise checked.  A step may replace text of
  the command (a ``~/data`` placeholder by a path, a trial count by a smaller one): the
  replacements are written next to the command;
* ``NOT_RUN``: parsed only, with the reason it cannot run here;
* ``SYNOPSES``: a usage line with placeholders; its concrete forms are parsed instead.

A command added to the docs fails ``test_every_doc_command_is_classified`` until it is put in
one of them, and an entry whose command left the docs fails it too.
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from doc_commands import REPO, all_commands, normalise

from sotbench.cli import build_parser, main

# shell variables some commands use, as the shell would expand them
SHELL_VARS = {"$SLURM_PROCID": "0"}

SYNOPSES: dict[str, list[str]] = {
    "sotbench show --dataset D [--root R] --sequences S[,S2] --results DIR [DIR ...] --out FILE": [
        "sotbench show --dataset otb100 --root R --sequences Couple,Crossing --results A B --out x.mp4"],
    "sotbench list datasets|trackers|presets|profiles": [
        "sotbench list datasets", "sotbench list trackers", "sotbench list presets", "sotbench list profiles"],
    "sotbench datasets [NAME] [--root DIR] [--all-splits]": ["sotbench datasets lasot --root DIR --all-splits"],
    "sotbench download NAME [--root DIR] [--only A,B] [--list] [--keep-archives]": [
        "sotbench download lasot --root DIR --only airplane,bear --list --keep-archives"],
}

DOWNLOAD = "downloads from the internet"
ZOO = "needs SiamRPN++ zoo weights (a download; only the README's --checkpoint run has a file here)"
GOT10K = "needs GOT-10k (registration, not in ../shared), SiamRPN++ weights and hours of GPU time"
VOT_EAO = ("EAO needs sequences longer than its interval (VOT2018: 100..356 frames); tracking all of bag "
           "takes ~20 s here, so the README's VOT run is checked on 12 frames without a report")
TRE = ("TRE on OTB100 tracks 20 segments of every sequence (needs all of OTB100's frames); "
       "tests/protocols/test_tre_sre.py runs TRE/SRE on real OTB sequences")
GOT10K_VAL = "needs GOT-10k val (registration, not in ../shared)"
SHOW = "draws frames not in ../shared; tests/visual/test_show.py renders the bundled Couple and bag"
NOT_RUN: dict[str, str] = {
    "sotbench download otb100": DOWNLOAD,
    "sotbench download siamrpnpp-r50-lasot": DOWNLOAD,
    "sotbench download lasot --only airplane,bear --root /data/tracking": DOWNLOAD,
    "sotbench download vot2018 --list": DOWNLOAD + " (the VOT file list is read from data.votchallenge.net)",
    "sotbench search --trials 200": GOT10K,
    "sotbench search --tracker siamrpnpp --dataset got10k --split val --trials 200": GOT10K,
    "sotbench search sweeps/got10k.yaml --trials 200 --precision bf16": GOT10K,
    "sotbench search sweeps/got10k.yaml --trials 200": GOT10K,
    "sotbench search sweeps/got10k.yaml --trials 300": GOT10K,
    "sotbench search sweeps/got10k.yaml --trials 200 --workers 4": GOT10K,
    "sotbench search sweeps/got10k.yaml --workers 4": GOT10K,
    "sotbench search sweeps/got10k.yaml --report-only --export": "needs the GOT-10k study (a search run) first",
    "sotbench search sweeps/got10k.yaml --report-only --export trackers/siamrpnpp/got10k-tuned.yaml":
        "needs the GOT-10k study (a search run) first",
    "sotbench search sweeps/NAME.yaml --storage postgresql://user@host/db --workers 4":
        "needs a PostgreSQL server (tests/search/test_postgres.py starts one where the binaries exist)",
    "sotbench search sweeps/got10k.yaml --storage postgresql://tuner@db-host/optuna --report-only":
        "needs a PostgreSQL server holding the study",
    "sotbench search sweeps/got10k.yaml --storage postgresql://user@db-host/optuna":
        "needs a PostgreSQL server",
    "sotbench run --tracker sweeps/got10k/best.yaml --dataset got10k --split test --out results":
        "needs the GOT-10k search's best.yaml and the GOT-10k test split",
    "sotbench run --tracker siamrpnpp/got10k --dataset otb100": "needs the preset --export writes after the "
                                                                   "GOT-10k search, and OTB100's frames",
    "sotbench run --tracker siamrpnpp --dataset lasot": ZOO,
    "sotbench run --tracker siamrpnpp --dataset vot2018 --no-engine": ZOO,
    "sotbench run --tracker siamrpnpp/mmtracking-lasot --dataset lasot --precision bf16 --batch 128":
        ZOO + "; bf16 is for a GPU",
    "sotbench run --tracker siamrpnpp/mmtracking-lasot --dataset lasot --precision bf16 --audit 20":
        ZOO + "; tests/engine/test_audit.py runs --audit on fixture weights",
    "sotbench run --tracker siamrpnpp/mmtracking-vot2018 --dataset vot2018 --device cuda:1": ZOO + "; a 2nd GPU",
    "sotbench run --tracker siamrpnpp/pysot-otb100 --dataset otb100 --root ~/data/OTB100 --jobs 2": ZOO,
    "sotbench run --tracker siamrpnpp/pysot-otb100 --dataset otb100 --checkpoint model.pth":
        "the README's run of this preset is run (with weights/siamrpn_r50_l234_dwxcorr_otb.pth)",
    "sotbench run --tracker siamrpnpp/pysot-otb100 --dataset otb100 --checkpoint ~/siamrpn_r50_l234_dwxcorr_otb.pth":
        "the README's run of this preset is run (with weights/siamrpn_r50_l234_dwxcorr_otb.pth)",
    "sotbench run --tracker trackers/my_preset.yaml --dataset vot2018 --sequences bag,ants1 --force":
        "my_preset.yaml stands for the user's own preset; ants1 is not in ../shared",
    "sotbench run --tracker opencv-mil --dataset synthetic":
        "~15 s here (opencv-mil at ~40 fps over 8 sequences); tests/core/test_demo.py runs opencv-kcf on it",
    "sotbench demo": "what `make demo` runs (~1 min: opencv-csrt); tests/core/test_demo.py runs it with 2 trackers",
    "sotbench demo --out /tmp/demo --jobs 2": "as `sotbench demo`; tests/core/test_demo.py runs it with --out",
    "sotbench pack --dataset got10k --split test --results results/GOT-10k-test/MyTracker --out my.zip":
        "needs the GOT-10k test split (not in ../shared)",
    "sotbench report --dataset vot2018 --results-root results --profile vot-legacy --formats md,png": VOT_EAO,
    "sotbench report --dataset vot2018 --root ~/data/VOT2018 --results-root results --out reports/vot2018": VOT_EAO,
    "sotbench report --dataset otb100 --root ~/data/OTB100 --results-root results --out reports/otb100":
        "another OTB100 report (several s of CPU); the README's report with these options is run",
    "sotbench report --dataset uav123 --root ../shared/data/annotations/UAV123 --results-root "
    "../shared/data/results/UAV123 --out reports/uav123":
        "written by scripts/report_examples.py; its OTB100 twin is run here (~10 s of CPU each)",
    "sotbench report --dataset lasot --root ../shared/data/annotations/LaSOT --results-root "
    "../shared/data/results/LaSOT --out reports/lasot":
        "written by scripts/report_examples.py; its OTB100 twin is run here",
    "sotbench report --dataset vot2018 --root ../shared/data/annotations/VOT2018 --results-root "
    "../shared/data/results/VOT2018 --out reports/vot2018":
        "written by scripts/report_examples.py; its OTB100 twin is run here",
    "sotbench compare --dataset otb100 --results results/OTB100/A results/OTB100/B":
        "A and B stand for the user's runs; the README's compare of two bundled results is run",
    "sotbench compare --dataset otb100 --root ~/data/OTB100 --results results/OTB100/SiamRPN++ results/OTB100/SiamBAN":
        "as the README's compare of the bundled SiamRPN++ and SiamBAN results, which is run",
    "sotbench compare --dataset vot2018 --results res/VOT2018/A res/VOT2018/B --metric accuracy --json":
        "A and B stand for the user's VOT runs; tests/metrics/test_compare.py compares VOT runs",
    "sotbench run --tracker ncc --dataset otb100 --protocol tre": TRE,
    "sotbench report --dataset otb100 --results-root results --protocol tre": TRE,
    "sotbench eval --dataset otb100 --results results/OTB100/ncc --protocol tre --profile otb-matlab": TRE,
    "sotbench eval --dataset otb100 --root ~/data/OTB100 --results results/OTB100/ncc --protocol tre": TRE,
    "sotbench run --tracker siamrpnpp/pysot-vot2018lt --dataset vot2018lt":
        "needs VOT2018-LT (a download) and the pysot LT weights; tests/protocols/test_longterm.py runs long-term",
    "sotbench run --tracker my_pkg.noisy:Tracker --dataset got10k --split val --repeat 3 --name noisy":
        "my_pkg.noisy stands for the user's stochastic tracker; tests/protocols/test_repeat.py runs --repeat",
    "sotbench run --tracker my.module:Noisy --dataset otb100 --repeat 3":
        "my.module stands for the user's stochastic tracker; tests/protocols/test_repeat.py runs --repeat",
    "sotbench eval --dataset got10k --split val --results results/GOT-10k-val/noisy": GOT10K_VAL,
    "sotbench report --dataset got10k --split val --results-root results": GOT10K_VAL,
    "sotbench search got10k.yaml --trials 200 --storage postgresql://tuner:PASSWORD@db-host/optuna "
    "--worker-index $SLURM_PROCID --no-progress": "needs a PostgreSQL server and a SLURM job",
    "sotbench report --dataset otb100 --root ~/data/OTB100 --results-root ~/published/OTB100 --runs "
    "results/OTB100/my_run --out reports/otb100":
        "my_run stands for the user's run; the README's report of the bundled results with --runs is run",
    "sotbench show --dataset otb100 --root ~/data/OTB100 --sequences Couple --results results/OTB100/SiamRPN++ "
    "~/raw/OTB100/ATOM --out couple.mp4": SHOW,
    "sotbench show --dataset otb100 --root ../shared/data/sequences/OTB100 --sequences Couple --gallery -k 6 "
    "--results ../shared/data/results/OTB100/{SiamRPN++,ATOM,SiamFC} --out gallery.png":
        "shell brace expansion; scripts/gallery_example.py makes this image from the same files",
    "sotbench show --dataset otb100 --root ~/data/OTB100 --sequences Couple,Crossing --results "
    "~/raw/OTB100/SiamRPN++ --gallery --out gallery.png": SHOW,
    "sotbench show --dataset vot2018 --root ~/data/VOT2018 --sequences bag --results res/VOT2018/Ocean "
    "--out bag.gif --fps 15": SHOW,
}


# -- scenarios --------------------------------------------------------------------------------
@dataclass
class Step:
    """One documented command, the text replaced before running it, and what must result."""

    command: str
    check: Callable[[Path, str], None]
    replace: dict[str, str] = field(default_factory=dict)  # "{shared}", "{ws}" are filled in


def _files(*paths: str) -> Callable[[Path, str], None]:
    def check(ws: Path, out: str) -> None:
        missing = [p for p in paths if not (ws / p).exists()]
        assert not missing, f"the docs promise {missing}; the folder has {sorted(map(str, ws.rglob('*')))[:40]}"
    return check


def _prints(*texts: str) -> Callable[[Path, str], None]:
    def check(ws: Path, out: str) -> None:
        assert all(t in out for t in texts), f"expected {texts} in the output:\n{out[-2000:]}"
    return check


def _json_out(**want) -> Callable[[Path, str], None]:
    def check(ws: Path, out: str) -> None:
        got = json.loads(out)
        assert {k: got[k] for k in want} == want
        assert 0 <= got["success_auc"] <= 1
    return check


def _scores(path: str, auc: float, prec: float, norm: float) -> Callable[[Path, str], None]:
    """A score file holding the numbers a docs table prints (4 decimals)."""
    def check(ws: Path, out: str) -> None:
        o = json.loads((ws / path).read_text())["overall"]
        assert [round(o[k], 4) for k in ("success_auc", "precision", "norm_precision")] == [auc, prec, norm]
    return check


def _all(*checks) -> Callable[[Path, str], None]:
    def check(ws: Path, out: str) -> None:
        for c in checks:
            c(ws, out)
    return check


def _board(path: str, *names: str) -> Callable[[Path, str], None]:
    """A report whose leaderboard lists these runs."""
    def check(ws: Path, out: str) -> None:
        import csv

        with open(ws / path / "leaderboard.csv", newline="") as f:
            listed = {row["tracker"] for row in csv.DictReader(f)}
        assert set(names) <= listed, f"{names} not all in {listed}"
    return check


def _rows(text: str) -> list[list[str]]:
    """The cells of the first Markdown table's ranked rows in ``text``."""
    rows: list[list[str]] = []
    for ln in text.splitlines():
        if ln.startswith("| ") and ln.split("|")[1].strip().isdigit():
            rows.append([c.strip() for c in ln.strip().strip("|").split("|")])
        elif rows and not ln.startswith("|"):
            break  # the leaderboard ends; per-attribute tables follow
    return rows


def _readme_leaderboard(ws: Path, out: str) -> None:
    """The README's OTB100 leaderboard is (a column prefix of) what the command writes."""
    readme = (REPO / "README.md").read_text()
    start = readme.index("--results-root ../shared/data/results/OTB100 --out reports/otb100")
    want = _rows(readme[start:readme.index("![OTB100 success plot]", start)])
    got = _rows((ws / "reports/otb100/leaderboard.md").read_text())
    assert len(want) == len(got) == 10 and [g[:len(w)] for g, w in zip(got, want)] == want


def _run_manifest(path: str, **params) -> Callable[[Path, str], None]:
    def check(ws: Path, out: str) -> None:
        manifest = json.loads((ws / path / "run.json").read_text())
        got = manifest["tracker"]["params"]
        assert {k: got[k] for k in params} == params
        assert len(np.loadtxt(ws / path / "Couple.txt", delimiter=",")) == 3
    return check


def _trials(path: str, n: int) -> Callable[[Path, str], None]:
    def check(ws: Path, out: str) -> None:
        assert len((ws / path).read_text().strip().splitlines()) == n + 1  # header + one row per trial
    return check


README_RUN = ("sotbench run --tracker siamrpnpp/pysot-otb100 --dataset otb100 "
              "--checkpoint weights/siamrpn_r50_l234_dwxcorr_otb.pth")
README_RUN_DIR = "results/OTB100/siamrpnpp-pysot-otb100"
OTB_ROOT = {"~/data/OTB100": "{shared}/data/annotations/OTB100/pysot"}
UAV_ROOT = {"~/data/UAV123": "{shared}/data/annotations/UAV123"}

SCENARIOS: dict[str, list[Step]] = {
    # the README's pipeline on a 3-frame OTB100 (Couple) with the golden-fixture weights
    "otb100": [
        Step("sotbench datasets", _prints("otb100", "{ws}/data/OTB100")),
        Step("sotbench datasets --root /data/tracking", _prints("otb100"), {"/data/tracking": "{ws}/data"}),
        Step("sotbench datasets lasot --all-splits", _prints("lasot")),
        Step("sotbench download siamrpnpp --list", _prints("siamrpnpp-r50-pysot-otb", "siamrpnpp-r50-lasot")),
        *[Step(f"sotbench list {kind}", _prints(name)) for kind, name in
          (("datasets", "otb100"), ("trackers", "opencv-csrt"), ("presets", "siamrpnpp/pysot-otb100"),
           ("profiles", "got10k"))],
        Step(README_RUN, _all(_files(f"{README_RUN_DIR}/Couple.txt", f"{README_RUN_DIR}/run.json"),
                              _run_manifest(README_RUN_DIR, flavour="pysot"))),
        Step(f"sotbench eval --dataset otb100 --results {README_RUN_DIR} --profile got10k --json",
             _json_out(profile="got10k", run="siamrpnpp-pysot-otb100")),
        Step("sotbench report --dataset otb100 --results-root results/OTB100 --out reports/otb100",
             _all(_files("reports/otb100/index.html"), _board("reports/otb100", "siamrpnpp-pysot-otb100"))),
        Step("sotbench run --tracker siamrpnpp --set flavour=pysot --set lr=0.3 --dataset otb100 "
             "--checkpoint model.pth", _run_manifest("results/OTB100/siamrpnpp", flavour="pysot", lr=0.3)),
    ],
    # the VOT reset protocol on 12 frames of bag
    "vot2018": [
        Step("sotbench run --tracker opencv-csrt --dataset vot2018 --root ~/data/VOT2018 --jobs 4",
             _files("results/VOT2018/opencv-csrt/baseline/bag/bag_001.txt", "results/VOT2018/opencv-csrt/run.json"),
             {"~/data/VOT2018": "{ws}/data/VOT2018"}),
    ],
    # scoring copies of the bundled raw results: the numbers the docs' tables print
    "raw_results": [
        Step("sotbench eval --dataset otb100 --root ~/data/OTB100 --results results/OTB100/SiamRPN++",
             _scores("results/OTB100/SiamRPN++/scores.json", 0.6955, 0.9054, 0.8598), OTB_ROOT),
        Step("sotbench eval --dataset lasot --root ~/data/LaSOT --results res/LaSOT/ATOM --profile lasot-matlab",
             _scores("res/LaSOT/ATOM/scores-lasot-matlab.json", 0.5143, 0.5054, 0.5768),
             {"~/data/LaSOT": "{shared}/data/annotations/LaSOT"}),
        Step("sotbench eval --dataset uav123 --root ~/data/UAV123 --results res/UAV123/KCF --json",
             _json_out(profile="pysot", dataset="uav123"), UAV_ROOT),
        Step("sotbench eval --dataset uav123 --root ~/data/UAV123 --results res/UAV123/KCF --json --out /tmp/scores",
             _files("scores-out/scores.json"), {**UAV_ROOT, "/tmp/scores": "scores-out"}),
        Step("sotbench eval --dataset uav123 --root ~/data/UAV123 --results res/UAV123/TLD",
             _scores("res/UAV123/TLD/scores.json", 0.2782, 0.4305, 0.3144), UAV_ROOT),
        Step("sotbench eval --dataset uav123 --root ~/data/UAV123 --results res/UAV123/TLD --profile otb-matlab",
             _scores("res/UAV123/TLD/scores-otb-matlab.json", 0.2832, 0.4391, 0.3172), UAV_ROOT),
        Step("sotbench report --dataset otb100 --root ../shared/data/annotations/OTB100/pysot "
             "--results-root ../shared/data/results/OTB100 --out reports/otb100", _readme_leaderboard,
             {"../shared": "{shared}"}),
        Step("sotbench report --dataset otb100 --root ~/data/OTB100 --runs results/OTB100/my_tracker "
             "--results-root ~/raw_results/OTB100 --out reports/otb100",
             _board("reports/otb100", "my_tracker", "CFNet"),
             {**OTB_ROOT, "~/raw_results/OTB100": "raw/OTB100"}),
        Step("sotbench compare --dataset otb100 --root ../shared/data/annotations/OTB100/pysot --results "
             "../shared/data/results/OTB100/SiamRPN++ ../shared/data/results/OTB100/SiamBAN",
             _prints("A - B: -0.0006", "not significant at 0.05"), {"../shared": "{shared}"}),
        Step("sotbench report --scores a/scores.json b/scores.json --out reports/mine",
             _board("reports/mine", "SiamRPN++", "CFNet"),
             {"a/scores.json": "results/OTB100/SiamRPN++/scores.json",
              "b/scores.json": "reports/otb100/scores/CFNet/scores.json"}),
        Step("sotbench report --dataset lasot --results-root results --formats md,tex,pdf --percent "
             "--profile pytracking",
             _files("reports/lasot/leaderboard.md", "reports/lasot/leaderboard.tex",
                    "reports/lasot/plots/success.pdf")),
        *[Step(cmd, _files(f"results/TrackingNet/{name}-trackingnet-submission.zip"), replace)
          for cmd, name, replace in (
              ("sotbench pack --dataset trackingnet --results results/TrackingNet/mytracker", "mytracker", {}),
              ("sotbench pack --dataset trackingnet --root ~/data/TrackingNet --results results/TrackingNet/MyTracker",
               "MyTracker", {"~/data/TrackingNet": "{ws}/data/TrackingNet"}),
              ("sotbench pack --dataset trackingnet --root ~/data/TrackingNet --results results/TrackingNet/SiamRPN++",
               "SiamRPN++", {"~/data/TrackingNet": "{ws}/data/TrackingNet"}))],
    ],
    # the CPU search proof (fewer trials) and its exported preset
    "synthetic": [
        Step("sotbench search sweeps/synthetic.yaml --trials 30 --out runs/syn",
             _all(_files("runs/syn/best.yaml"), _trials("runs/syn/trials.csv", 2)), {"--trials 30": "--trials 2"}),
        Step("sotbench run --tracker runs/syn/best.yaml --dataset synthetic",
             _files("results/synthetic/ncc-synthetic/run.json")),
        Step("sotbench search sweeps/synthetic.yaml --trials 60", _trials("sweeps/synthetic/trials.csv", 3),
             {"--trials 60": "--trials 3"}),
        Step("sotbench search sweeps/synthetic.yaml --report-only --export", _files("trackers/ncc/synthetic.yaml")),
        # into another results root: the run of runs/syn/best.yaml above has the same run name, other parameters
        Step("sotbench run --tracker ncc/synthetic --dataset synthetic", _files("fresh/synthetic/ncc-synthetic/run.json"),
             {"--dataset synthetic": "--dataset synthetic --out fresh"}),
    ],
}
RUN = {step.command: name for name, steps in SCENARIOS.items() for step in steps}


# -- workspaces -------------------------------------------------------------------------------
def _link_frames(paths: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for p in paths:
        (folder / p.name).symlink_to(p)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, dst)


def _otb_workspace(ws: Path, shared: Path, randw_state: dict) -> None:
    """OTB100 = Couple's first 3 frames in pysot's JSON layout; the README's weights file."""
    import torch

    seq = json.loads((shared / "data/annotations/OTB100/pysot/OTB100.json").read_text())["Couple"]
    seq = dict(seq, img_names=seq["img_names"][:3], gt_rect=seq["gt_rect"][:3])
    root = ws / "data/OTB100"
    _link_frames([shared / "data/sequences/OTB100/Couple/img" / Path(n).name for n in seq["img_names"]],
                 root / "Couple/img")
    (root / "OTB100.json").write_text(json.dumps({"Couple": seq}))
    (ws / "weights").mkdir()
    torch.save(randw_state, ws / "model.pth")
    # pysot's OTB model has no fusion weights (its preset: weighted: false)
    unweighted = {k: v for k, v in randw_state.items() if k not in ("rpn_head.cls_weight", "rpn_head.loc_weight")}
    torch.save(unweighted, ws / "weights/siamrpn_r50_l234_dwxcorr_otb.pth")


def _vot_workspace(ws: Path, shared: Path) -> None:
    """VOT2018 = the first 12 frames of bag."""
    bag = shared / "data/sequences/VOT2018/bag"
    root = ws / "data/VOT2018"
    _link_frames(sorted(bag.glob("*.jpg"))[:12], root / "bag")
    rows = (bag / "groundtruth.txt").read_text().splitlines(True)[:12]
    (root / "bag/groundtruth.txt").write_text("".join(rows))
    (root / "list.txt").write_text("bag\n")


def _raw_workspace(ws: Path, shared: Path) -> None:
    """Copies of bundled raw results (eval writes score files next to them), data roots."""
    res = shared / "data/results"
    _copy(res / "OTB100/SiamRPN++", ws / "results/OTB100/SiamRPN++")
    _copy(res / "OTB100/Ocean", ws / "results/OTB100/my_tracker")
    _copy(res / "OTB100/CFNet", ws / "raw/OTB100/CFNet")
    _copy(res / "LaSOT/ATOM", ws / "res/LaSOT/ATOM")
    _copy(res / "LaSOT/ATOM", ws / "results/LaSOT/ATOM")
    for tracker in ("KCF", "TLD"):
        _copy(res / f"UAV123/{tracker}", ws / f"res/UAV123/{tracker}")
    dummy = shared / "data/annotations/TrackingNet/dummy_GT"  # the devkit's example; GT as results packs
    for name in ("mytracker", "MyTracker", "SiamRPN++"):
        _copy(dummy, ws / f"results/TrackingNet/{name}")
    (ws / "data").mkdir(exist_ok=True)
    (ws / "data/TrackingNet").symlink_to(dummy)
    (ws / "data/LaSOT").symlink_to(shared / "data/annotations/LaSOT")


def _synthetic_workspace(ws: Path, synthetic_root: Path) -> None:
    (ws / "data").mkdir(exist_ok=True)
    (ws / "data/synthetic").symlink_to(synthetic_root)
    (ws / "sweeps").mkdir()
    shutil.copyfile(REPO / "sweeps/synthetic.yaml", ws / "sweeps/synthetic.yaml")


# -- tests ------------------------------------------------------------------------------------
def _parse(command: str) -> None:
    words = [SHELL_VARS.get(w, w) for w in shlex.split(command)]
    assert words[0] == "sotbench"
    try:
        build_parser().parse_args(words[1:])
    except SystemExit as exc:
        pytest.fail(f"{command!r} does not parse (exit {exc.code}); see the argparse message above")


DOC_COMMANDS = all_commands()


def test_every_doc_command_is_classified():
    classified = set(RUN) | set(NOT_RUN) | set(SYNOPSES)
    expansions = {c for forms in SYNOPSES.values() for c in forms}
    new = {c: where for c, where in DOC_COMMANDS.items() if c not in classified}
    assert not new, f"commands in the docs not classified in {Path(__file__).name} (run or say why not): {new}"
    gone = sorted(c for c in classified - set(DOC_COMMANDS) - expansions)
    assert not gone, f"classified commands no longer in the docs (remove them here): {gone}"
    assert not set(RUN) & set(NOT_RUN), "a command is both run and not run"
    assert all(normalise(c) == c for c in classified | expansions)


@pytest.mark.parametrize("command", sorted(set(DOC_COMMANDS) - set(SYNOPSES))
                         + sorted({c for forms in SYNOPSES.values() for c in forms}))
def test_doc_command_parses(command):
    _parse(command)


def test_synopses_do_not_parse_as_they_are():
    """A synopsis is classified as one because it is not a runnable command line."""
    for synopsis in SYNOPSES:
        with pytest.raises(SystemExit):
            build_parser().parse_args(shlex.split(synopsis)[1:])


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_doc_commands_run(scenario, shared, randw_state, synthetic_root, tmp_path, monkeypatch, capsys):
    ws = tmp_path / "ws"
    ws.mkdir()
    {"otb100": lambda: _otb_workspace(ws, shared, randw_state), "vot2018": lambda: _vot_workspace(ws, shared),
     "raw_results": lambda: _raw_workspace(ws, shared),
     "synthetic": lambda: _synthetic_workspace(ws, synthetic_root)}[scenario]()
    monkeypatch.chdir(ws)
    monkeypatch.setenv("SOTBENCH_DATA", str(ws / "data"))
    monkeypatch.setenv("SOTBENCH_WEIGHTS", str(ws / "weights"))
    for step in SCENARIOS[scenario]:
        assert step.command in DOC_COMMANDS or any(step.command in f for f in SYNOPSES.values()), step.command
        command = step.command
        for old, new in step.replace.items():
            assert old in command, f"replacement {old!r} not in {command!r}"
            command = command.replace(old, new.format(shared=shared.resolve(), ws=ws))
        capsys.readouterr()
        status = main(shlex.split(command)[1:])
        out, err = capsys.readouterr()
        assert status == 0, f"{command!r} exited {status}:\n{err[-3000:]}"
        step.check(ws, out.replace(str(ws), "{ws}"))


def test_quick_start_make_targets_run_what_the_readme_says():
    """``make demo`` runs ``sotbench demo`` (run by tests/core/test_demo.py), ``make test`` pytest."""
    if shutil.which("make") is None:
        pytest.skip("needs make")
    import subprocess

    readme = (REPO / "README.md").read_text()
    targets = [ln.split()[1] for ln in readme.splitlines() if ln.startswith("make ")]
    assert targets[:2] == ["demo", "test"]
    for target, runs in (("demo", "/sotbench demo"), ("test", "-m pytest")):
        dry = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(REPO), target], capture_output=True,
                             text=True, check=True)
        assert runs in dry.stdout.splitlines()[-1], dry.stdout
