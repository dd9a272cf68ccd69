"""Rebuild docs/examples/couple_gallery.png: the failure gallery of OTB100 Couple for three
published trackers, from the real frames and raw results bundled in shared/data.

    python scripts/gallery_example.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "examples" / "couple_gallery.png")
    args = parser.parse_args()
    from sotbench.cli import main as cli

    data = args.shared / "data"
    results = data / "results" / "OTB100"
    status = cli(["show", "--dataset", "otb100", "--root", str(data / "sequences" / "OTB100"), "--sequences", "Couple",
                  "--results", *(str(results / t) for t in ("SiamRPN++", "ATOM", "SiamFC")), "--gallery",
                  "--gallery-frames", "6", "--out", str(args.out)])
    if status == 0:
        _shrink(args.out)
    return status


def _shrink(path: Path) -> None:
    """Half size, 128-colour palette: small enough to commit, sharp enough for the README."""
    from PIL import Image

    img = Image.open(path).convert("RGB")
    img = img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)
    img.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


if __name__ == "__main__":
    sys.exit(main())
