"""Plot style: paper-ready fonts without TeX, and one colour + line style per tracker name.

Colours are assigned from the tracker *name* (a sha1 of it picks a preferred palette slot;
a taken slot moves to the next free one), so a tracker keeps its colour in every plot of a
report.  Assigned over every tracker folder of a results root (``universe``), the colours are
the same in every report of that root, whichever of its trackers a report shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["PALETTE", "LINESTYLES", "TrackerStyle", "assign_styles", "paper_rc", "rc_context", "new_figure",
           "save_figure", "add_footnote"]

# Tableau 10 (matplotlib's default cycle): distinguishable in print and for most colour-blind readers.
PALETTE: tuple[str, ...] = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
)
# More trackers than colours: the next round of colours is drawn dashed, then dotted, ...
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


@dataclass(frozen=True)
class TrackerStyle:
    """How one tracker is drawn everywhere in a report."""

    color: str
    linestyle: str
    marker: str

    def line_kwargs(self) -> dict:
        """Keyword arguments for ``Axes.plot``."""
        return {"color": self.color, "linestyle": self.linestyle}


def _preferred_slot(name: str, n: int) -> int:
    return int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:4], "big") % n


def assign_styles(names: Iterable[str], universe: Iterable[str] = ()) -> dict[str, TrackerStyle]:
    """A distinct colour (then line style) for each tracker name, independent of plot order;
    assigned over ``names`` and ``universe`` together (e.g. every run of a results root), so
    ``names`` get the styles they have in any report drawn from that universe."""
    wanted = set(names)
    names = sorted(wanted | set(universe))
    n_colors, styles = len(PALETTE), {}
    taken: set[tuple[int, int]] = set()
    for name in names:
        slot = _preferred_slot(name, n_colors)
        for round_ in range(len(names) // n_colors + len(LINESTYLES) + 1):
            free = [c for c in range(n_colors) if (c, round_) not in taken]
            if free:
                color = min(free, key=lambda c: (c - slot) % n_colors)
                taken.add((color, round_))
                break
        styles[name] = TrackerStyle(
            color=PALETTE[color],
            linestyle=LINESTYLES[round_ % len(LINESTYLES)],
            marker=MARKERS[(color + round_) % len(MARKERS)],
        )
    return {name: style for name, style in styles.items() if name in wanted}


def paper_rc() -> dict:
    """matplotlib settings for figures pasted into a paper: Times-like STIX fonts, no TeX."""
    return {
        "text.usetex": False,
        "font.family": "serif",
        "font.serif": ["STIXGeneral"],  # bundled with matplotlib: same output on every machine
        "mathtext.fontset": "stix",
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 8,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "lines.linewidth": 1.6,
        "axes.grid": True,
        "grid.linestyle": ":",
        "grid.linewidth": 0.6,
        "grid.alpha": 0.7,
        "pdf.fonttype": 42,  # TrueType in PDFs (publishers reject Type 3 fonts)
        "ps.fonttype": 42,
        "svg.fonttype": "path",  # glyphs as paths: the SVG looks the same without the font
        "svg.hashsalt": "sotbench",  # stable element ids: identical SVGs for identical scores
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.03,
    }


@contextmanager
def rc_context():
    """The paper settings inside the block (figures are built without pyplot: no GUI backend)."""
    import matplotlib

    with matplotlib.rc_context(paper_rc()):
        yield


def new_figure(width: float = 4.6, height: float = 3.6):
    """A figure drawn by the Agg canvas, detached from pyplot (safe in notebooks and threads)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def add_footnote(fig, lines: list[str]) -> None:
    """Print ``lines`` (caveats) below everything drawn (axes labels, legends), wrapped to the
    figure's width; ``savefig.bbox: tight`` grows the saved image to fit them."""
    if not lines:
        return
    box = fig.get_tightbbox()  # inches, as drawn now
    width, height = fig.get_size_inches()
    fig.text(box.x0 / width, (box.y0 - 0.06) / height, "\n".join(lines), ha="left", va="top",
             fontsize=7, color="#a00000", wrap=True)


def save_figure(fig, stem, formats: Iterable[str], dpi: int = 300) -> dict[str, str]:
    """Write ``fig`` as ``stem.<fmt>`` for each format, atomically; returns ``{fmt: path}``."""
    from pathlib import Path

    from sotbench.report.files import write_with

    stem = Path(stem)
    # No dates in the files: re-rendering identical scores gives identical files.
    metadata = {"png": {"Software": None}, "pdf": {"CreationDate": None, "ModDate": None},
                "svg": {"Date": None}}
    out = {}
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        write_with(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata.get(fmt)))
        out[fmt] = str(path)
    return out
