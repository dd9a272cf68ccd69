"""VOT2018 short-term (60 sequences, 21,356 frames), the reset-based ("baseline") protocol.

Layouts recognised from the root's contents:

* ``native``: ``<root>/list.txt`` (else every sub-folder holding ``groundtruth.txt``) and
  one folder per sequence with ``groundtruth.txt`` (8 numbers per row: a rotated rectangle's
  corners, or 4 numbers x,y,w,h; both may occur in one file), per-frame tag files
  ``camera_motion``, ``illum_change``, ``motion_change``, ``size_change``, ``occlusion`` as
  ``<tag>.tag`` or ``<tag>.label`` (one 0/1 per line; shorter files are padded with 0, as the
  VOT toolkit does), and the images either in ``color/%08d.jpg`` (the current VOT toolkit
  download, with a ``sequence`` metadata file) or flat in the folder (the legacy MATLAB
  toolkit layout), or as one video file.
* ``pysot-json``: ``<root>/VOT2018.json`` (tags, ``width``/``height`` per video); images at
  its ``img_names`` (``<seq>/color/…``) or flat beside them.

``Sequence.gt`` is ``(N, 8)`` whenever a file holds a polygon; rectangle rows then carry
NaN in columns 4-7.  ``Sequence.tags`` maps each tag to a boolean per-frame array and
``image_size`` is ``(width, height)``.
"""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from urllib.parse import urljoin

import numpy as np

from sotbench.datasets.base import Dataset, DatasetSpec, DownloadItem, VotSettings, read_rows
from sotbench.datasets.layout import first_image_size, listed_frames, package_lines, read_list, video_frames
from sotbench.datasets.pysot_json import VOT_TAGS, find_json, load_json, record_frames, record_gt, record_tags
from sotbench.safepath import UnsafeNameError, check_name, check_relative, inside
from sotbench.sequences import AnnotationError, Sequence

__all__ = ["VOT2018", "VOT2018LT", "VOT_TAGS"]

VOT_URL = "https://data.votchallenge.net/vot2018/main/description.json"
VOT_LT_URL = "https://data.votchallenge.net/vot2018/longterm/description.json"


def check_regions(path: Path, gt: np.ndarray, json_name: str | None = None, absent_rows: bool = False) -> None:
    """Rectangles need a positive size, polygons finite corners; NaN only as padding (and, with
    ``absent_rows``, as a whole row: a frame without the target)."""
    rect = np.isnan(gt[:, 4:]).all(axis=1) if gt.shape[1] == 8 else np.ones(len(gt), dtype=bool)
    if absent_rows:
        rect &= ~np.isnan(gt).all(axis=1)
    bad_rect = rect & ((gt[:, 2] <= 0) | (gt[:, 3] <= 0) | np.isnan(gt[:, :4]).any(axis=1))
    bad_poly = ~rect & np.isnan(gt).any(axis=1) & ~(absent_rows & np.isnan(gt).all(axis=1))
    bad = bad_rect | bad_poly
    if bad.any():
        i = int(np.argmax(bad))
        what = "x,y,w,h with positive width and height" if bad_rect[i] else "8 finite polygon corners"
        region = gt[i][~np.isnan(gt[i])].tolist()
        if json_name is not None:
            raise AnnotationError(path, f"video {json_name!r}: bad region gt_rect[{i}] = {region} (expected {what})")
        raise AnnotationError(path, f"bad region {region} (expected {what})", i + 1)


def _description(path: Path) -> list[dict]:
    """The sequences of a VOT ``description.json``, checked: a downloaded file must not name
    paths (sequence and channel names are folder names; patterns file names inside them)."""
    from sotbench.download import DownloadError

    def bad(what: str) -> DownloadError:
        return DownloadError(f"{path}: {what}; the file is not a VOT dataset description (remove it and retry)")

    try:
        desc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad(f"not valid JSON ({exc})") from None
    sequences = desc.get("sequences") if isinstance(desc, dict) else None
    if not isinstance(sequences, list) or not all(isinstance(s, dict) for s in sequences):
        raise bad("expected an object with a list of sequence objects under 'sequences'")
    for k, seq in enumerate(sequences):
        where = f"sequences[{k}]"
        try:
            check_name(seq.get("name"), f"{where}.name")
            fps = seq.get("fps", 30)
            if isinstance(fps, bool) or not isinstance(fps, (int, float)):
                raise bad(f"{where}.fps must be a number, got {fps!r}")
            channels = seq.setdefault("channels", {})
            if not isinstance(channels, dict) or not isinstance(seq.get("annotations"), dict):
                raise bad(f"{where}: expected 'annotations' and 'channels' objects")
            for part in [seq["annotations"], *channels.values()]:
                if not isinstance(part, dict) or not isinstance(part.get("url"), str):
                    raise bad(f"{where} ({seq['name']}): every archive needs a 'url' string")
            for channel, info in channels.items():
                check_name(channel, f"{where} channel")
                check_name(str(info.get("pattern", "%08d.jpg")), f"{where} {channel} pattern")
        except UnsafeNameError as exc:
            raise bad(str(exc)) from None
    return sequences


def _read_properties(path: Path) -> dict[str, str]:
    """A VOT ``sequence`` metadata file: ``key=value`` lines."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        key, eq, value = line.partition("=")
        if eq:
            out[key.strip()] = value.strip()
    return out


def _read_tag(path: Path, n: int) -> np.ndarray:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) > n:
        raise AnnotationError(path, f"{len(lines)} lines for {n} frames (expected at most one 0/1 per frame)")
    bad = [i for i, v in enumerate(lines) if v not in ("0", "1", "")]
    if bad:
        raise AnnotationError(path, f"expected 0 or 1, found {lines[bad[0]]!r}", bad[0] + 1)
    out = np.zeros(n, dtype=bool)
    out[: len(lines)] = [v == "1" for v in lines]
    return out


class VOT2018(Dataset):
    """VOT2018 short-term challenge dataset (reset protocol, 15 repetitions)."""

    spec = DatasetSpec(
        key="vot2018", title="VOT2018", folder="VOT2018", protocol="vot_reset",
        attributes=tuple((t, t.replace("_", " ")) for t in VOT_TAGS),
        default_profile="pysot",
        vot=VotSettings(repetitions=15, skip_initialize=5, burnin=10, eao_interval=(100, 356)),
        homepage="https://www.votchallenge.net/vot2018/dataset.html",
        how_to_get="`sotbench download vot2018` (from data.votchallenge.net, as the VOT toolkit "
                   "does: per-sequence zips, checksums verified); or `vot initialize vot2018`. "
                   "pysot's VOT2018.json alone works for evaluation.",
        layout="native: <root>/list.txt + <seq>/groundtruth.txt with color/%08d.jpg or flat images; "
               "pysot: <root>/VOT2018.json [+ images]",
    )

    json_name = "VOT2018.json"
    absent_rows = False  # long-term: a frame without the target has an all-NaN region

    def __init__(self, root: str | os.PathLike | None = None, split: str | None = None):
        super().__init__(root, split)
        self._json: Path | None = None

    def expected_names(self) -> list[str] | None:
        return package_lines("vot2018.txt")

    @classmethod
    def description_url(cls) -> str:
        """The VOT toolkit's dataset description this edition is downloaded from."""
        return VOT_URL

    # -- download (what the VOT toolkit fetches: per-sequence zips listed in description.json) --
    @classmethod
    def download_items(cls, root: Path, url: str | None = None) -> list[DownloadItem]:
        """Fetch the dataset description and list each sequence's annotation and image zips."""
        from sotbench.download import fetch

        url = url or cls.description_url()
        desc = fetch(url, root / "description.json")
        items = []
        for seq in _description(desc):
            name, ann = seq["name"], seq["annotations"]
            items.append(DownloadItem(url=urljoin(url, ann["url"]), md5=ann.get("checksum"),
                                      extract_to=name, filename=f"{name}_anno.zip"))
            for channel, info in seq["channels"].items():
                items.append(DownloadItem(url=urljoin(url, info["url"]), md5=info.get("checksum"),
                                          extract_to=f"{name}/{channel}", filename=f"{name}_{channel}.zip"))
        return items

    @classmethod
    def after_download(cls, root: Path) -> None:
        """Write ``list.txt`` and each sequence's ``sequence`` file, as the VOT toolkit does."""
        sequences = _description(root / "description.json")
        for seq in sequences:
            lines = [f"name={seq['name']}", f"fps={seq.get('fps', 30)}", "format=default"]
            for channel, info in seq["channels"].items():
                lines.append(f"channels.{channel}={channel}/{info.get('pattern', '%08d.jpg')}")
            folder = inside(root, root / seq["name"], "sequence folder")
            (folder / "sequence").write_text("\n".join(lines) + "\n")
        (root / "list.txt").write_text("\n".join(seq["name"] for seq in sequences) + "\n")

    def _index(self):
        self._json = find_json(self.root, (self.json_name,))
        if self._json is not None:
            self.layout = "pysot-json"
            data = load_json(self._json)
            listing = read_list(self.root / "list.txt") if (self.root / "list.txt").is_file() else list(data)
            missing = [n for n in listing if n not in data]
            if missing:
                raise AnnotationError(self.root / "list.txt", f"{missing[0]} is not in {self._json.name}")
            return {n: partial(self._load_json, n) for n in listing}
        self.layout = "native"
        if (self.root / "list.txt").is_file():
            names = read_list(self.root / "list.txt")
        else:
            names = sorted(p.name for p in self.root.iterdir() if (p / "groundtruth.txt").is_file())
        return {n: partial(self._load_native, n) for n in names}

    def _frames(self, seq_dir: Path, props: dict[str, str]):
        pattern = props.get("channels.color")  # e.g. color/%08d.jpg (names sort in frame order)
        if pattern:
            try:
                check_relative(pattern, "channels.color pattern")
            except UnsafeNameError as exc:
                raise AnnotationError(seq_dir / "sequence", f"{exc} (images must lie in the sequence folder)") from None
        if pattern and Path(pattern).parent != Path("."):
            return listed_frames(seq_dir / Path(pattern).parent)
        return listed_frames(seq_dir / "color") or listed_frames(seq_dir) or video_frames(seq_dir)

    def _load_native(self, name: str) -> Sequence:
        seq_dir = self.root / name
        path = seq_dir / "groundtruth.txt"
        if not seq_dir.is_dir():
            raise AnnotationError(seq_dir, f"sequence folder of {name} (listed in list.txt) is missing")
        gt = read_rows(path, widths=(4, 8), allow_nan=self.absent_rows)
        check_regions(path, gt, absent_rows=self.absent_rows)
        props = _read_properties(seq_dir / "sequence")
        frames = self._frames(seq_dir, props)
        if frames is not None and len(frames) != len(gt):
            raise AnnotationError(path, f"{len(gt)} regions for {len(frames)} frames in "
                                  f"{frames.describe(0)} (expected one region per frame)")
        tags = {}
        for tag_file in sorted(seq_dir.glob("*.tag")) + sorted(seq_dir.glob("*.label")):
            tags.setdefault(tag_file.stem, _read_tag(tag_file, len(gt)))
        size = (int(props["width"]), int(props["height"])) if "width" in props and "height" in props \
            else first_image_size(frames)
        meta = {"n_frames": len(gt), "layout": self.layout, "source": str(path)}
        return Sequence(name=name, gt=gt, frames=frames, tags=tags, image_size=size, meta=meta,
                        absent=self._absent(gt))

    def _absent(self, gt: np.ndarray) -> np.ndarray | None:
        """Frames without the target (long-term sequences: all-NaN regions)."""
        return np.isnan(gt).all(axis=1) if self.absent_rows else None

    def _load_json(self, name: str) -> Sequence:
        path = self._json
        assert path is not None
        rec = load_json(path)[name]
        gt = record_gt(path, name, rec, widths=(4, 8), absent_rows=self.absent_rows)
        check_regions(path, gt, json_name=name, absent_rows=self.absent_rows)
        if len(rec.get("img_names") or []) != len(gt):
            raise AnnotationError(path, f"video {name!r}: {len(rec.get('img_names') or [])} img_names "
                                  f"for {len(gt)} gt_rect rows")
        frames = record_frames(self.root, name, rec, path)
        size = (int(rec["width"]), int(rec["height"])) if "width" in rec and "height" in rec \
            else first_image_size(frames)
        meta = {"n_frames": len(gt), "layout": self.layout, "source": str(path)}
        tags = record_tags(path, name, rec, len(gt)) if not self.absent_rows else {}
        return Sequence(name=name, gt=gt, frames=frames, tags=tags, image_size=size, meta=meta, absent=self._absent(gt))


class VOT2018LT(VOT2018):
    """VOT2018 long-term challenge dataset (one pass; frames without the target; F-score)."""

    spec = DatasetSpec(
        key="vot2018lt", title="VOT2018-LT", folder="VOT2018-LT", protocol="longterm",
        default_profile="pysot",
        homepage="https://www.votchallenge.net/vot2018/dataset.html",
        how_to_get="`sotbench download vot2018lt` (from data.votchallenge.net, as the VOT toolkit does); "
                   "or `vot initialize vot-lt2018`. pysot's VOT2018-LT.json alone works for evaluation.",
        layout="native: <root>/list.txt + <seq>/groundtruth.txt (nan,nan,nan,nan where the target is absent) "
               "with color/%08d.jpg or flat images; pysot: <root>/VOT2018-LT.json [+ images]",
    )
    json_name = "VOT2018-LT.json"
    absent_rows = True

    @classmethod
    def description_url(cls) -> str:
        return VOT_LT_URL

    def expected_names(self) -> list[str] | None:
        return None  # the list is the root's list.txt (not bundled)
