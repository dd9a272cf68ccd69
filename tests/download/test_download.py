"""Downloads against a local HTTP server (127.0.0.1): resume, checksums, offline, safe extraction."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import tarfile

import pytest
from http_server import zip_bytes

from sotbench.cli import main as cli_main
from sotbench.datasets.base import Dataset, DatasetSpec, DownloadItem
from sotbench.datasets.downloads import download_dataset
from sotbench.download import DownloadError, UnsafeArchiveError, extract, fetch


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


PAYLOAD = bytes(range(256)) * 400  # 100 KiB


def test_fetch_verifies_and_reuses(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    dest = fetch(server.url + "/a.bin", tmp_path / "a.bin", _sha(PAYLOAD)[:12])
    assert dest.read_bytes() == PAYLOAD and not (tmp_path / "a.bin.part").exists()
    fetch(server.url + "/a.bin", dest, _sha(PAYLOAD))
    assert len(server.ranges) == 1  # the verified file was kept, no second request


def test_fetch_resumes_with_range(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    server.cut_after = 30_000
    with pytest.raises(DownloadError, match="run again to resume"):
        fetch(server.url + "/a.bin", tmp_path / "a.bin", _sha(PAYLOAD))
    assert (tmp_path / "a.bin.part").stat().st_size == 30_000
    dest = fetch(server.url + "/a.bin", tmp_path / "a.bin", _sha(PAYLOAD))
    assert server.ranges == [None, "bytes=30000-"] and dest.read_bytes() == PAYLOAD


def test_fetch_restarts_when_range_is_ignored(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    (tmp_path / "a.bin.part").write_bytes(b"garbage")
    server.honour_range = False
    assert fetch(server.url + "/a.bin", tmp_path / "a.bin", _sha(PAYLOAD)).read_bytes() == PAYLOAD


def test_fetch_complete_part_gets_416(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    (tmp_path / "a.bin.part").write_bytes(PAYLOAD)
    assert fetch(server.url + "/a.bin", tmp_path / "a.bin", _sha(PAYLOAD)).read_bytes() == PAYLOAD


def test_checksum_mismatch(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    with pytest.raises(DownloadError, match="sha256 mismatch"):
        fetch(server.url + "/a.bin", tmp_path / "a.bin", "deadbeef")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DownloadError, match="md5 mismatch"):
        fetch(server.url + "/a.bin", tmp_path / "a.bin", md5="0" * 32)


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_http_error_and_offline(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(server.url + "/missing.zip", tmp_path / "m.zip")
    with pytest.raises(DownloadError, match=r"cannot reach .* offline\?"):
        fetch(f"http://127.0.0.1:{_closed_port()}/a.bin", tmp_path / "a.bin", timeout=5)


def test_extract_refuses_escaping_members(tmp_path):
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(zip_bytes({"ok/a.txt": b"a", "../evil.txt": b"x"}))
    target = tmp_path / "out"
    with pytest.raises(UnsafeArchiveError, match=r"'\.\./evil.txt' would be written outside"):
        extract(bad_zip, target)
    assert not (tmp_path / "evil.txt").exists() and not (target / "ok").exists()  # nothing written
    abs_zip = tmp_path / "abs.zip"
    abs_zip.write_bytes(zip_bytes({"/etc/evil": b"x"}))
    with pytest.raises(UnsafeArchiveError):
        extract(abs_zip, target)
    for name, info_type in (("link", tarfile.SYMTYPE), ("../up.txt", tarfile.REGTYPE)):
        tar_path = tmp_path / "bad.tar.gz"
        with tarfile.open(tar_path, "w:gz") as tf:
            info = tarfile.TarInfo(name)
            info.type = info_type
            info.linkname = "/etc/passwd" if info_type == tarfile.SYMTYPE else ""
            tf.addfile(info, io.BytesIO(b"") if info_type == tarfile.REGTYPE else None)
        with pytest.raises(UnsafeArchiveError, match=repr(name)):
            extract(tar_path, target)
    assert not (tmp_path / "up.txt").exists() and not (target / "link").exists()


def test_extract_zip_and_tar(tmp_path):
    archive = tmp_path / "good.zip"
    archive.write_bytes(zip_bytes({"Seq/img/0001.jpg": b"j", "Seq/groundtruth_rect.txt": b"1,2,3,4"}))
    assert sorted(p.name for p in extract(archive, tmp_path / "z")) == ["0001.jpg", "groundtruth_rect.txt"]
    tar_path = tmp_path / "good.tar"
    with tarfile.open(tar_path, "w") as tf:
        info = tarfile.TarInfo("Seq/a.txt")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"abc"))
    extract(tar_path, tmp_path / "t")
    assert (tmp_path / "t" / "Seq" / "a.txt").read_bytes() == b"abc"


ARCHIVE = zip_bytes({"Walk/img/0001.jpg": b"x", "Walk/groundtruth.txt": b"1,2,3,4\n"})


class FakeBench(Dataset):
    """A dataset whose one archive sits on the test server (its URL is set by the test)."""

    spec = DatasetSpec(key="fakebench", title="Fake bench", folder="Fake")

    def _index(self):
        return {}


def test_download_dataset_and_cli(server, tmp_path, monkeypatch):
    server.files["/Walk.zip"] = ARCHIVE
    item = DownloadItem(url=server.url + "/Walk.zip", sha256=_sha(ARCHIVE))
    monkeypatch.setattr(FakeBench, "spec", DatasetSpec(key="fakebench", title="Fake bench", folder="Fake",
                                                       downloads=(item,)))
    report = download_dataset(FakeBench, tmp_path / "Fake", progress=False, log=lambda m: None)
    assert report.fetched == ["Walk.zip"]
    assert (tmp_path / "Fake" / "Walk" / "groundtruth.txt").read_text() == "1,2,3,4\n"
    assert (tmp_path / "Fake" / ".downloads" / "Walk.zip.done").is_file()
    assert not (tmp_path / "Fake" / ".downloads" / "Walk.zip").exists()  # unpacked, then removed
    code = cli_main(["download", f"{__name__}:FakeBench", "--root", str(tmp_path), "--no-progress"])
    assert code == 0 and len(server.ranges) == 1  # already done: nothing fetched again


def test_cli_registration_and_offline(capsys, tmp_path, monkeypatch):
    assert cli_main(["download", "got10k", "--root", str(tmp_path)]) == 2
    assert "needs registration" in capsys.readouterr().err
    monkeypatch.setattr(FakeBench, "spec", DatasetSpec(key="fakebench", title="Fake bench", folder="Fake",
                        downloads=(DownloadItem(url=f"http://127.0.0.1:{_closed_port()}/none.zip"),)))
    assert cli_main(["download", f"{__name__}:FakeBench", "--root", str(tmp_path), "--no-progress"]) == 2
    assert "offline?" in capsys.readouterr().err


def test_vot2018_download_plan(server, tmp_path, monkeypatch):
    """The VOT toolkit's scheme: description.json lists per-sequence zips with md5 checksums."""
    import cv2
    import numpy as np

    from sotbench.datasets import load_dataset, vot

    jpg = cv2.imencode(".jpg", np.full((12, 16, 3), 90, np.uint8))[1].tobytes()
    color = zip_bytes({f"{k:08d}.jpg": jpg for k in (1, 2, 3)})
    anno = zip_bytes({"groundtruth.txt": b"1,1,9,1,9,8,1,8\n2,1,10,1,10,8,2,8\n3,2,6,7\n", "occlusion.tag": b"0\n1\n"})
    server.files["/seq/bag_color.zip"], server.files["/seq/bag_anno.zip"] = color, anno
    desc = {"name": "VOT2018", "sequences": [{
        "name": "bag", "fps": 30,
        "annotations": {"url": "../seq/bag_anno.zip", "checksum": hashlib.md5(anno).hexdigest()},
        "channels": {"color": {"url": server.url + "/seq/bag_color.zip", "pattern": "%08d.jpg",
                               "checksum": hashlib.md5(color).hexdigest()}}}]}
    server.files["/main/description.json"] = json.dumps(desc).encode()
    monkeypatch.setattr(vot, "VOT_URL", server.url + "/main/description.json")
    download_dataset(vot.VOT2018, tmp_path / "VOT2018", progress=False, log=lambda m: None)
    seq = load_dataset("vot2018", root=tmp_path / "VOT2018")["bag"]
    assert len(seq) == 3 and seq.frames.paths[0].parent.name == "color"
    assert seq.tags["occlusion"].tolist() == [False, True, False]
    assert (tmp_path / "VOT2018" / "bag" / "sequence").read_text().startswith("name=bag")
