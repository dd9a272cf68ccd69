"""Rebuild the example leaderboards in docs/examples/ from the bundled real raw results.

    python scripts/report_examples.py                 # all four benchmarks
    python scripts/report_examples.py --only otb100   # a subset

Each benchmark gets a full report under reports/examples/<benchmark>/ (every format), made
exactly as ``sotbench report --dataset <b> --root <annotations> --results-root <results>``
would; docs/examples/leaderboards.md collects the four Markdown leaderboards and two small
PNG plots are copied next to it.  Data: ../shared/data (or $SOTBENCH_SHARED/data).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SOTBENCH_SHARED", REPO.parent / "shared")) / "data"

# benchmark -> (annotation root, results root), relative to the shared data folder
BENCHMARKS: dict[str, tuple[str, str]] = {
    "otb100": ("annotations/OTB100/pysot", "results/OTB100"),
    "uav123": ("annotations/UAV123", "results/UAV123"),
    "lasot": ("annotations/LaSOT", "results/LaSOT"),
    "vot2018": ("annotations/VOT2018", "results/VOT2018"),
}
# plots copied into docs/examples/ at screen resolution: (benchmark, plot stem)
DOC_PLOTS = (("otb100", "success"), ("otb100", "radar"))


def command(bench: str, out: Path, data: Path | str = DATA) -> str:
    """The equivalent command line (printed, and quoted in the docs with ``../shared/data``)."""
    ann, res = BENCHMARKS[bench]
    return f"sotbench report --dataset {bench} --root {data}/{ann} --results-root {data}/{res} --out {out}"


def main(argv: list[str] | None = None) -> int:
    """Make the reports and the docs files."""
    from sotbench.report import make_report
    from sotbench.report.formats import to_markdown
    from sotbench.report.tables import leaderboard

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks")
    p.add_argument("--out", type=Path, default=REPO / "reports" / "examples")
    p.add_argument("--docs", type=Path, default=REPO / "docs" / "examples")
    args = p.parse_args(argv)
    if not DATA.is_dir():
        print(f"bundled data not found at {DATA} (set SOTBENCH_SHARED)", file=sys.stderr)
        return 2
    sections = []
    for bench in [b.strip() for b in args.only.split(",") if b.strip()]:
        ann, res = BENCHMARKS[bench]
        out = args.out / bench
        print(command(bench, out), flush=True)
        paths = make_report(bench, (), out, root=DATA / ann, results_roots=[DATA / res],
                            log=lambda m: print("  " + m))
        board = paths.board
        sections.append(f"## {board.title}\n\n```\n{command(bench, Path('reports') / bench, '../shared/data')}\n```\n\n"
                        + to_markdown(leaderboard(board)))
        for b, stem in DOC_PLOTS:
            if b == bench:
                _copy_small_png(paths, stem, args.docs / f"{bench}_{stem}.png")
    text = ["# Example leaderboards from published raw results\n",
            "Made by `python scripts/report_examples.py` from the raw result files bundled in "
            "`shared/data/results` (see its SOURCES.md), scored with each benchmark's default profile "
            "(pysot conventions). `imported` = published raw results, not run here.\n",
            "Caveats from SOURCES.md: every SiamRPN OTB100 file has its first row in corner form "
            "(scored as written, as pysot does; each file is listed as a warning in the HTML report); "
            "the VOT2018 `Ocean` folder does not reproduce the published offline-Ocean numbers "
            "(an unverified run).\n", *sections]
    plots = [f"![{b} {s}]({b}_{s}.png)" for b, s in DOC_PLOTS if (args.docs / f"{b}_{s}.png").is_file()]
    text += ["## Plots\n", *plots] if plots else []
    (args.docs).mkdir(parents=True, exist_ok=True)
    (args.docs / "leaderboards.md").write_text("\n".join(text) + "\n")
    print(f"wrote {args.docs / 'leaderboards.md'}")
    return 0


def _copy_small_png(paths, stem: str, dest: Path) -> None:
    """Re-render one plot of the report at 130 dpi with a 64-colour palette (small enough to commit)."""
    from PIL import Image

    from sotbench.report.render import figures
    from sotbench.report.style import rc_context, save_figure

    with rc_context():
        for name, _, fig in figures(paths.board):
            if name == stem:
                written = save_figure(fig, dest.with_suffix(""), ("png",), dpi=130)["png"]
                image = Image.open(written).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
                image.save(written, optimize=True)
                print(f"wrote {written}")


if __name__ == "__main__":
    sys.exit(main())
