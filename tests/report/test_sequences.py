"""The report's per-sequence table and its links, display names, stable colours, per-attribute
precision plots, and ``eval --per-sequence`` across runs."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from sotbench.cli import main as cli
from sotbench.datasets import load_dataset
from sotbench.report import ReportError, make_report
from sotbench.report.render import figures
from sotbench.report.runs import colour_universe
from sotbench.report.style import assign_styles, rc_context


@pytest.fixture(scope="module")
def synthetic(synthetic_root):
    return load_dataset("synthetic", root=synthetic_root)


def _write_run(folder: Path, dataset, shift: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for seq in dataset:
        boxes = seq.gt[:, :4].copy()
        boxes[1:, 0] += shift * boxes[1:, 2]
        np.savetxt(folder / f"{seq.name}.txt", boxes, fmt="%.4f", delimiter=",")
    return folder


@pytest.fixture
def root(tmp_path, synthetic):
    root = tmp_path / "results"
    for name, shift in (("Exact", 0.0), ("Shifted", 0.3), ("Far", 0.7)):
        _write_run(root / "synthetic" / name, synthetic, shift)
    return root


def test_per_sequence_table_links_iou_plots_and_galleries(tmp_path, synthetic, root):
    paths = make_report(synthetic, [], tmp_path / "rep", formats="html,csv", results_roots=[root], galleries=True,
                        gallery_frames=4)
    assert sorted(paths.sequences) == sorted(synthetic.names)
    for name, files in paths.sequences.items():
        assert set(files) == {"iou", "gallery"} and all(p.is_file() and p.stat().st_size > 1000 for p in files.values())
    page = paths.html.read_text()
    table = page.split('id="sequences"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    assert len(rows) == len(synthetic.names)
    hrefs = re.findall(r'href="([^"]+)"', table)
    assert len(hrefs) == 2 * len(synthetic.names) and all((paths.out / h).is_file() for h in hrefs)
    # the exact run is the best of every sequence (bold), attributes are listed
    assert all('class="num best"' in r.split("</td>")[3] and r.count("best") == 1 for r in rows)
    assert ">SV<" in table
    with open(paths.tables["sequences"]["csv"]) as fh:
        lines = list(csv.DictReader(fh))
    assert [r["sequence"] for r in lines] == synthetic.names
    assert float(lines[0]["run:Exact:success_auc"]) > float(lines[0]["run:Far:success_auc"])
    assert [r["attributes"] for r in lines[:2]] == ["–", "SV"]


def test_no_sequence_plots_keeps_the_table(tmp_path, synthetic, root):
    paths = make_report(synthetic, [], tmp_path / "rep", formats="html", results_roots=[root], sequence_plots=False)
    assert paths.sequences == {} and 'id="sequences"' in paths.html.read_text()
    assert not (tmp_path / "rep" / "sequences").exists()


def test_display_names_from_run_json_and_mapping(tmp_path, synthetic, root):
    manifest = {"schema": "sotbench-run-v1", "status": "finished", "display_name": "Shifted (ours)",
                "dataset": {"key": "synthetic", "split": synthetic.split}}
    (root / "synthetic" / "Shifted" / "run.json").write_text(json.dumps(manifest))
    paths = make_report(synthetic, [], tmp_path / "rep", formats="md", results_roots=[root],
                        names={"Far": "Far away"})
    md = paths.markdown.read_text()
    assert "| Shifted (ours) |" in md and "| Far away |" in md and "| Exact |" in md
    with pytest.raises(ReportError, match="'Nope', which is not a run of this report; runs: .*Exact"):
        make_report(synthetic, [], tmp_path / "rep", formats="md", results_roots=[root], names={"Nope": "x"})
    with pytest.raises(ReportError, match="would both be shown as 'Exact'"):
        make_report(synthetic, [], tmp_path / "rep", formats="md", results_roots=[root], names={"Far": "Exact"})


def test_report_cli_name_and_names_file(tmp_path, synthetic_root, root, capsys):
    names = tmp_path / "names.yaml"
    names.write_text("Far: Far away\nExact: Oracle\n")
    assert cli(["report", "--dataset", "synthetic", "--root", str(synthetic_root), "--results-root", str(root),
                "--out", str(tmp_path / "rep"), "--formats", "md", "--names", str(names),
                "--name", "Exact=Ground truth"]) == 0
    out = capsys.readouterr().out
    assert "| Ground truth |" in out and "| Far away |" in out
    names.write_text("- a\n- b\n")
    assert cli(["report", "--dataset", "synthetic", "--root", str(synthetic_root), "--results-root", str(root),
                "--out", str(tmp_path / "rep"), "--formats", "md", "--names", str(names)]) == 2
    assert f"{names}: expected a mapping of run folder names" in capsys.readouterr().err


def _line_colours(board) -> dict[str, str]:
    with rc_context():
        fig = dict((stem, f) for stem, _, f in figures(board))["success"]
    return {line.get_label().split("] ", 1)[1]: line.get_color() for line in fig.axes[0].get_lines()}


def test_colours_are_the_same_in_every_report_of_one_results_root(tmp_path, synthetic, root):
    other = root / "OTB100" / "Aardvark"  # a run of another benchmark in the same results root
    other.mkdir(parents=True)
    (other / "Basketball.txt").write_text("1,2,3,4\n")
    universe = colour_universe([root / "synthetic" / "Exact"])
    assert universe == ["Aardvark", "Exact", "Far", "Shifted"]
    runs = root / "synthetic"
    a = make_report(synthetic, [runs / "Exact", runs / "Far"], tmp_path / "a", formats="md").board
    b = make_report(synthetic, [runs / "Far", runs / "Shifted"], tmp_path / "b", formats="md").board
    c = make_report(synthetic, [], tmp_path / "c", formats="md", results_roots=[root]).board
    ca, cb, cc = _line_colours(a), _line_colours(b), _line_colours(c)
    assert ca["Far"] == cb["Far"] == cc["Far"] and ca["Exact"] == cc["Exact"] and cb["Shifted"] == cc["Shifted"]
    assert len({cc["Exact"], cc["Far"], cc["Shifted"]}) == 3
    full = assign_styles(universe)
    assert {n: s.color for n, s in assign_styles(["Far"], universe).items()} == {"Far": full["Far"].color}


def test_per_attribute_precision_and_normalised_precision_plots(tmp_path, synthetic, root):
    paths = make_report(synthetic, [], tmp_path / "rep", formats="png", results_roots=[root], sequence_plots=False)
    assert {"attributes/precision_SV", "attributes/norm_precision_SV", "attributes/success_SV"} <= set(paths.plots)
    with rc_context():
        figs = {stem: f for stem, _, f in figures(paths.board)}
    ax = figs["attributes/precision_SV"].axes[0]
    assert ax.get_title().startswith("Precision plots of OPE - ") and ax.get_xlim() == (0.0, 50.0)
    assert figs["attributes/norm_precision_SV"].axes[0].get_xlabel() == "Normalized location error threshold"


def test_eval_per_sequence_across_runs_with_attributes(synthetic_root, root, capsys):
    runs = root / "synthetic"
    assert cli(["eval", "--dataset", "synthetic", "--root", str(synthetic_root), "--results", str(runs / "Exact"),
                str(runs / "Far"), "--no-write", "--per-sequence"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("attributes") or " Exact " in f" {line} "
                  and "Far" in line)
    assert "attributes" in header and "n_frames" in header and "Exact" in header and "Far" in header
    scale_up = next(line for line in out.splitlines() if line.startswith("ScaleUp"))
    assert scale_up.split()[1] == "SV" and float(scale_up.split()[3]) > float(scale_up.split()[4])
    assert cli(["eval", "--dataset", "synthetic", "--root", str(synthetic_root), "--results", str(runs / "Exact"),
                str(runs / "Far"), "--no-write", "--json"]) == 0
    docs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["run"] for d in docs] == ["Exact", "Far"] and docs[0]["success_auc"] > docs[1]["success_auc"]


def test_eval_several_runs_out_folder_per_run(tmp_path, synthetic_root, root, capsys):
    runs = root / "synthetic"
    assert cli(["eval", "--dataset", "synthetic", "--root", str(synthetic_root), "--results", str(runs / "Exact"),
                str(runs / "Far"), "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "Exact" / "scores.json").is_file() and (tmp_path / "s" / "Far" / "per_sequence.csv").is_file()


def test_run_display_name_recorded_kept_on_resume_and_reported(tmp_path, synthetic_root, capsys):
    base = ["run", "--tracker", "identity", "--dataset", "synthetic", "--root", str(synthetic_root),
            "--out", str(tmp_path / "res"), "--sequences", "Drift,ScaleUp", "--no-progress"]
    assert cli(base + ["--display-name", "Identity (baseline)"]) == 0
    manifest = tmp_path / "res" / "synthetic" / "identity" / "run.json"
    assert json.loads(manifest.read_text())["display_name"] == "Identity (baseline)"
    assert cli(base) == 0  # resumed without the flag: the label stays
    assert json.loads(manifest.read_text())["display_name"] == "Identity (baseline)"
    assert cli(base + ["--display-name", " "]) == 2
    assert "--display-name must not be empty" in capsys.readouterr().err
    paths = make_report("synthetic", [manifest.parent], tmp_path / "rep", formats="md", root=synthetic_root,
                        allow_partial=True)
    assert "| Identity (baseline) |" in paths.markdown.read_text()
