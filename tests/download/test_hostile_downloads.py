"""Hostile downloads served from 127.0.0.1: a description naming paths outside the data root,
non-web URLs, truncated and corrupt archives.  No file is ever created outside the target."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from http_server import zip_bytes

from sotbench.cli import main as cli_main
from sotbench.datasets import vot
from sotbench.datasets.base import Dataset, DatasetSpec, DownloadItem
from sotbench.datasets.downloads import download_dataset
from sotbench.download import CorruptArchiveError, DownloadError, extract, fetch


def _zip(members: dict[str, bytes]) -> bytes:
    return zip_bytes(members, zipfile.ZIP_DEFLATED)


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.fixture
def outside(tmp_path):
    """A fake home folder beside the data root; the test fails if anything appears in it."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    yield home
    assert _files(home) == {home / ".ssh"}, "a download wrote outside the data root"


KEY = b"ssh-ed25519 AAAA attacker\n"


def _serve_description(server, monkeypatch, sequences):
    server.files["/evil/keys.zip"] = _zip({"authorized_keys": KEY})
    server.files["/main/description.json"] = json.dumps({"name": "VOT2018", "sequences": sequences}).encode()
    monkeypatch.setattr(vot, "VOT_URL", server.url + "/main/description.json")


def _seq(name, channel="color", pattern="%08d.jpg", url="../evil/keys.zip"):
    return {"name": name, "annotations": {"url": url},
            "channels": {channel: {"url": "../evil/keys.zip", "pattern": pattern}}}


@pytest.mark.parametrize("sequence", [
    _seq("../../home/.ssh"),                 # the sequence folder climbs out of the root
    _seq("/ABSOLUTE/.ssh"),                  # an absolute sequence name (the test puts the home path here)
    _seq("bag", channel="../../../home/.ssh"),  # a channel folder climbs out
    _seq("bag", pattern="../../../home/.ssh/authorized_keys"),  # list/sequence files point out
    _seq("bag\n", ),                         # a control character (list.txt injection)
], ids=["dotdot-name", "absolute-name", "dotdot-channel", "dotdot-pattern", "newline-name"])
def test_served_description_cannot_write_outside_the_root(server, monkeypatch, tmp_path, outside, sequence):
    sequence = json.loads(json.dumps(sequence).replace("/ABSOLUTE", str(tmp_path / "home")))
    _serve_description(server, monkeypatch, [sequence])
    root = tmp_path / "data" / "VOT2018"
    with pytest.raises(DownloadError, match=r"description.json: .*unsafe") as err:
        download_dataset(vot.VOT2018, root, progress=False, log=lambda m: None)
    assert "\n" not in str(err.value)
    assert not (root / ".downloads").exists()  # refused before anything was fetched


def test_description_urls_must_be_web_urls(server, monkeypatch, tmp_path, outside):
    secret = tmp_path / "secret.zip"
    secret.write_bytes(_zip({"groundtruth.txt": b"1,2,3,4\n"}))
    _serve_description(server, monkeypatch, [_seq("bag", url=secret.as_uri())])
    root = tmp_path / "data" / "VOT2018"
    with pytest.raises(DownloadError, match="not an http"):
        download_dataset(vot.VOT2018, root, progress=False, log=lambda m: None)
    assert not (root / "bag" / "groundtruth.txt").exists()
    with pytest.raises(DownloadError, match="not an http"):
        fetch(secret.as_uri(), tmp_path / "copy.zip")


def test_cli_reports_a_malicious_description_in_one_line(server, monkeypatch, tmp_path, outside, capsys):
    _serve_description(server, monkeypatch, [_seq("../../home/.ssh")])
    assert cli_main(["download", "vot2018", "--root", str(tmp_path / "data"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sotbench download: error:") and "unsafe sequences[0].name '../../home/.ssh'" in err
    assert len(err.splitlines()) == 1


class Bench(Dataset):
    """A dataset whose items the tests set (its ``spec`` is patched)."""

    spec = DatasetSpec(key="bench", title="Bench", folder="Bench")

    def _index(self):
        return {}


def _bench(monkeypatch, *items):
    monkeypatch.setattr(Bench, "spec", DatasetSpec(key="bench", title="Bench", folder="Bench", downloads=items))


@pytest.mark.parametrize("item", [
    DownloadItem(url="http://127.0.0.1:9/a.zip", extract_to="../../home/.ssh"),
    DownloadItem(url="http://127.0.0.1:9/a.zip", extract_to="/tmp/somewhere"),
    DownloadItem(url="http://127.0.0.1:9/a.zip", extract_to=None, filename="../../home/.ssh/authorized_keys"),
], ids=["dotdot-extract", "absolute-extract", "dotdot-filename"])
def test_items_outside_the_root_are_refused(monkeypatch, tmp_path, outside, item):
    _bench(monkeypatch, item)
    with pytest.raises(DownloadError, match="unsafe|outside"):
        download_dataset(Bench, tmp_path / "data" / "Bench", progress=False, log=lambda m: None)


def test_linked_target_folder_is_refused(server, monkeypatch, tmp_path, outside):
    root = tmp_path / "data" / "Bench"
    root.mkdir(parents=True)
    (root / "Walk").symlink_to(outside / ".ssh")  # e.g. left by an earlier tool
    server.files["/a.zip"] = _zip({"authorized_keys": KEY})
    _bench(monkeypatch, DownloadItem(url=server.url + "/a.zip", extract_to="Walk"))
    with pytest.raises(DownloadError, match="outside"):
        download_dataset(Bench, root, progress=False, log=lambda m: None)


ARCHIVE = _zip({"Walk/groundtruth_rect.txt": b"1,2,3,4\n" * 50, "Walk/img/0001.jpg": bytes(range(256)) * 64})


def test_truncated_archive_without_checksum_is_fetched_again(server, monkeypatch, tmp_path):
    """A mirror that served a cut file (with a matching Content-Length: nothing to notice on
    the wire) must not leave the download stuck on it: the archive is found incomplete when
    unpacked, removed, and the next run fetches it anew."""
    server.files["/Walk.zip"] = ARCHIVE[: len(ARCHIVE) // 2]
    _bench(monkeypatch, DownloadItem(url=server.url + "/Walk.zip"))
    root = tmp_path / "Bench"
    with pytest.raises(CorruptArchiveError, match="truncated.*run again to download it anew"):
        download_dataset(Bench, root, progress=False, log=lambda m: None)
    assert not (root / ".downloads" / "Walk.zip").exists()
    server.files["/Walk.zip"] = ARCHIVE  # the mirror is fixed
    download_dataset(Bench, root, progress=False, log=lambda m: None)
    assert (root / "Walk" / "groundtruth_rect.txt").read_bytes() == b"1,2,3,4\n" * 50
    assert len(server.ranges) == 2


def test_declared_size_catches_a_short_file(server, monkeypatch, tmp_path):
    server.files["/Walk.zip"] = ARCHIVE[:-10]
    _bench(monkeypatch, DownloadItem(url=server.url + "/Walk.zip", size=len(ARCHIVE)))
    with pytest.raises(DownloadError, match=rf"{len(ARCHIVE) - 10} bytes, expected {len(ARCHIVE)}"):
        download_dataset(Bench, tmp_path / "Bench", progress=False, log=lambda m: None)
    assert not (tmp_path / "Bench" / ".downloads" / "Walk.zip").exists()


def _corrupt_member(data: bytes, name: str) -> bytes:
    """``data`` (a zip) with a byte of member ``name``'s compressed data flipped."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    out = bytearray(data)
    out[start + info.compress_size // 2] ^= 0xFF
    return bytes(out)


def test_corrupt_member_is_a_one_line_error_and_keeps_what_was_written(server, monkeypatch, tmp_path, capsys):
    data = _corrupt_member(ARCHIVE, "Walk/img/0001.jpg")
    target = tmp_path / "x"
    (tmp_path / "a.zip").write_bytes(data)
    with pytest.raises(CorruptArchiveError, match=r"member 'Walk/img/0001.jpg' is corrupt"):
        extract(tmp_path / "a.zip", target)
    assert (target / "Walk" / "groundtruth_rect.txt").is_file()  # the good member written before it stays
    assert not (target / "Walk" / "img" / "0001.jpg").exists()  # no half-written member
    server.files["/Walk.zip"] = data
    _bench(monkeypatch, DownloadItem(url=server.url + "/Walk.zip"))
    code = cli_main(["download", f"{__name__}:Bench", "--root", str(tmp_path / "root"), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "is corrupt" in err and "run again" in err


def test_truncated_tar_is_reported(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        payload = hashlib.sha256(b"x").digest() * 4096
        info = tarfile.TarInfo("Seq/a.bin")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    (tmp_path / "a.tar.gz").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(CorruptArchiveError, match="a.tar.gz"):
        extract(tmp_path / "a.tar.gz", tmp_path / "out")
    assert not (tmp_path / "out" / "Seq" / "a.bin").exists()
