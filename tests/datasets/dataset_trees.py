"""Tiny fake dataset trees in each benchmark's native layout, written into a tmp folder.

``TREES`` maps every name of ``sotbench.datasets.DATASETS`` to a builder
``build(tmp_path) -> (root, kwargs)``; a new adapter without a builder here fails the tests.
Images are tiny real JPEGs whose pixel value encodes the frame number (``frame_id``).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

_JPEG_CACHE: dict[int, bytes] = {}


def jpeg(value: int, size: tuple[int, int] = (16, 12)) -> bytes:
    """A small grey JPEG whose pixels are ``value % 256`` (frame identity survives decoding)."""
    key = (value % 256) * 10_000 + size[0] * 100 + size[1]
    if key not in _JPEG_CACHE:
        img = np.full((size[1], size[0], 3), value % 256, np.uint8)
        _JPEG_CACHE[key] = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 100])[1].tobytes()
    return _JPEG_CACHE[key]


def frame_id(img: np.ndarray) -> int:
    """The value a ``jpeg`` frame was written with."""
    return int(round(float(img.mean())))


def write_frames(folder: Path, numbers, pattern: str = "{:08d}.jpg", size=(16, 12)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in numbers:
        (folder / pattern.format(k)).write_bytes(jpeg(k, size))


def boxes(n: int, seed: int = 0, sep: str = ",") -> str:
    rng = np.random.default_rng(seed)
    rows = np.column_stack([rng.integers(1, 50, (n, 2)), rng.integers(5, 30, (n, 2))])
    return "\n".join(sep.join(str(v) for v in r) for r in rows)


def otb(tmp: Path):
    root = tmp / "OTB100"
    write_frames(root / "Football1" / "img", range(1, 82), "{:04d}.jpg")  # 81 images, 74 annotated
    (root / "Football1" / "groundtruth_rect.txt").write_text(boxes(74))  # no final newline
    write_frames(root / "Board" / "img", range(1, 699), "{:05d}.jpg")
    (root / "Board" / "groundtruth_rect.txt").write_text(boxes(697, 1, "\t") + "\n1\t2\t0\t0\n")
    write_frames(root / "Tiger1" / "img", range(1, 355), "{:04d}.jpg")
    (root / "Tiger1" / "groundtruth_rect.txt").write_text(boxes(354, 2, " ") + "\n")
    write_frames(root / "David" / "img", range(1, 771), "{:04d}.jpg")
    (root / "David" / "groundtruth_rect.txt").write_text(boxes(471, 3) + "\n")
    write_frames(root / "Skating2" / "img", range(1, 474), "{:04d}.jpg")
    for k in (1, 2):
        (root / "Skating2" / f"groundtruth_rect.{k}.txt").write_text(boxes(473, 10 + k) + "\n")
    write_frames(root / "Human4" / "img", range(1, 668), "{:04d}.jpg")
    (root / "Human4" / "groundtruth_rect.1.txt").write_text("")
    (root / "Human4" / "groundtruth_rect.2.txt").write_text(boxes(667, 4) + "\n")
    return root, {}


def uav123(tmp: Path):
    root = tmp / "UAV123"
    anno = root / "anno" / "UAV123"
    (anno / "att").mkdir(parents=True)
    write_frames(root / "data_seq" / "UAV123" / "car1", range(1, 752), "{:06d}.jpg")
    write_frames(root / "data_seq" / "UAV123" / "car11", range(1, 338), "{:06d}.jpg")
    text = boxes(751, 5).splitlines()
    text[3] = "NaN,NaN,NaN,NaN"
    (anno / "car1_1.txt").write_text("\n".join(text) + "\n")
    (anno / "car11.txt").write_text(boxes(337, 6) + "\n")
    (anno / "att" / "car1_1.txt").write_text("1,0,0,0,0,0,0,0,0,0,1,1\n")
    (anno / "att" / "car11.txt").write_text("1,1,0,0,0,0,0,0,0,0,0,0\n")
    return root, {}


def uav20l(tmp: Path):
    root = tmp / "UAV123"
    anno = root / "anno" / "UAV20L"
    (anno / "att").mkdir(parents=True)
    (anno / "car3.txt").write_text(boxes(1717, 7) + "\n")
    write_frames(root / "data_seq" / "UAV123" / "car3", range(1, 1718), "{:06d}.jpg")
    (anno / "att" / "car3.txt").write_text("0,0,1,0,0,0,0,0,0,0,0,1\n")
    return root, {}


def lasot(tmp: Path):
    root = tmp / "LaSOT" / "LaSOTBenchmark"
    for name, n in (("airplane-1", 6), ("bear-1", 4)):
        seq = root / name.split("-")[0] / name
        write_frames(seq / "img", range(1, n + 1))
        rows = boxes(n, n).splitlines()
        rows[2] = "1,1,-1,-1"
        (seq / "groundtruth.txt").write_text("\n".join(rows))
        (seq / "full_occlusion.txt").write_text(",".join("1" if i == 2 else "0" for i in range(n)))
        (seq / "out_of_view.txt").write_text(",".join("1" if i == n - 1 else "0" for i in range(n)))
        (seq / "nlp.txt").write_text(f"the {name.split('-')[0]} in view\n")
    return root.parent, {}


def trackingnet(tmp: Path):
    root = tmp / "TrackingNet"
    for chunk, name, n in (("TRAIN_0", "aaa_0", 12), ("TRAIN_1", "bbb_1", 3), ("TEST", "-Dz7OIf54b0_0", 11)):
        write_frames(root / chunk / "frames" / name, range(n), "{}.jpg")
        (root / chunk / "anno").mkdir(parents=True)
        text = boxes(n if chunk != "TEST" else 1, n).replace("\n", "\r\n")
        (root / chunk / "anno" / f"{name}.txt").write_text(text)
    return root, {"split": "train"}


def vot2018(tmp: Path):
    root = tmp / "VOT2018"
    root.mkdir()
    (root / "list.txt").write_text("ants1\nbag\n")
    seq = root / "ants1"
    write_frames(seq / "color", range(1, 6))
    (seq / "sequence").write_text("channels.color=color/%08d.jpg\nwidth=16\nheight=12\nfps=30\n")
    (seq / "groundtruth.txt").write_text(
        "1,1,9,1,9,8,1,8\n2,1,10,1,10,8,2,8\n3,2,6,7\n1.5,1,9,1.5,9,8,1,8\n1,1,9,1,9,8,1,8\n")
    (seq / "occlusion.tag").write_text("0\n1\n1\n")
    (seq / "camera_motion.label").write_text("1\n0\n0\n0\n1\n")
    bag = root / "bag"
    write_frames(bag, range(1, 4))
    (bag / "groundtruth.txt").write_text("1,1,4,4\n2,2,4,4\n3,3,4,4\n")
    return root, {}


def vot2018lt(tmp: Path):
    root = tmp / "VOT2018-LT"
    root.mkdir()
    (root / "list.txt").write_text("car1\n")
    seq = root / "car1"
    write_frames(seq / "color", range(1, 6))
    (seq / "sequence").write_text("channels.color=color/%08d.jpg\nwidth=16\nheight=12\nfps=30\n")
    (seq / "groundtruth.txt").write_text("1,1,4,4\nnan,nan,nan,nan\nnan,nan,nan,nan\n2,2,4,4\n3,3,4,4\n")
    return root, {}


def got10k(tmp: Path):
    root = tmp / "GOT-10k"
    split = root / "val"
    split.mkdir(parents=True)
    (split / "list.txt").write_text("GOT-10k_Val_000001\nGOT-10k_Val_000002\n")
    for k, n in ((1, 5), (2, 3)):
        seq = split / f"GOT-10k_Val_{k:06d}"
        write_frames(seq, range(1, n + 1))
        rows = boxes(n, k).splitlines()
        rows[1] = "0,0,0,0"
        (seq / "groundtruth.txt").write_text("\n".join(rows) + "\n")
        (seq / "absence.label").write_text("0\n1\n" + "0\n" * (n - 2))
        (seq / "cover.label").write_text("8\n0\n" + "4\n" * (n - 2))
        (seq / "cut_by_image.label").write_text("0\n" * n)
        (seq / "meta_info.ini").write_text("[METAINFO]\nobject_class: ant\nresolution: (16, 12)\n")
    return root, {"split": "val"}


def pysot_json(tmp: Path):
    root = tmp / "NFS30"
    data = {}
    for name, n in (("Gymnastics", 4), ("Bee", 3)):
        write_frames(root / name, range(1, n + 1))
        gt = [[1 + i, 2, 10, 8] for i in range(n)]
        data[name] = {"video_dir": name, "init_rect": gt[0], "gt_rect": gt, "attr": None,
                      "img_names": [f"{name}/{i:08d}.jpg" for i in range(1, n + 1)]}
    (root / "NFS30.json").write_text(json.dumps(data))
    return root, {}


def folder(tmp: Path):
    root = tmp / "custom"
    write_frames(root / "walk" / "img", range(1, 4), "{:04d}.jpg")
    (root / "walk" / "groundtruth.txt").write_text(boxes(3))
    return root, {}


def synthetic(tmp: Path):
    return tmp / "synthetic", {"split": "val"}


TREES = {
    "otb100": otb, "otb2013": otb, "otb50": otb, "uav123": uav123, "uav20l": uav20l, "lasot": lasot,
    "trackingnet": trackingnet, "vot2018": vot2018, "vot2018lt": vot2018lt, "got10k": got10k,
    "pysot-json": pysot_json,
    "folder": folder, "synthetic": synthetic,
}
