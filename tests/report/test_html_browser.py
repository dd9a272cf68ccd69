"""Open the HTML report in headless Chromium: tables and images render, headers sort rows."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from scoredicts import ope_scores
from sotbench.report.board import build_board
from sotbench.report.render import render_board

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]

# Appended to a copy of the page: click two headers, record the row orders and which images
# decoded, as DOM attributes that --dump-dom serialises.
PROBE = """<script>
window.addEventListener('load', function(){
  var imgs = Array.prototype.slice.call(document.images);
  document.body.setAttribute('data-images', imgs.length);
  document.body.setAttribute('data-images-ok',
                             imgs.filter(function(i){return i.complete && i.naturalWidth > 0;}).length);
  function order(){ return Array.prototype.map.call(document.querySelectorAll('#leaderboard tbody tr'),
                           function(r){ return r.cells[1].textContent; }).join('|'); }
  var heads = document.querySelectorAll('#leaderboard thead th');
  heads[2].click();  document.body.setAttribute('data-by-success', order());
  heads[2].click();  document.body.setAttribute('data-by-success-again', order());
  heads[1].click();  document.body.setAttribute('data-by-name', order());
});
</script>"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory, request):
    if CHROMIUM is None:
        pytest.skip("needs headless Chromium (`apt-get install chromium`; .ci/run installs it)")
    attrs = {"IV": (38, 0.6), "SV": (65, 0.62), "OCC": (49, 0.58)}
    items = [(n, ope_scores(n, a, attributes={k: (c, v + a - 0.6) for k, (c, v) in attrs.items()}), "")
             for n, a in (("SiamFC", 0.587), ("SiamRPN++", 0.696), ("ATOM", 0.663))]
    items.append(("Half<b>", ope_scores("Half<b>", 0.70, evaluated=50), ""))
    out = tmp_path_factory.mktemp("html")
    return render_board(build_board(items), out, formats="html").html


def test_tables_render_and_sort(report_page, tmp_path):
    probed = tmp_path / "probed.html"
    probed.write_text(report_page.read_text().replace("</body>", PROBE + "</body>"))
    result = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    dom = result.stdout
    assert result.returncode == 0 and "<table" in dom, result.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", dom).group(1)
    attr = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body))
    # 3 curve plots, 3 curves x 3 attributes, the radar chart; every one decoded
    assert attr["images"] == "13" and attr["images-ok"] == "13"
    assert attr["by-success"] == "Half&lt;b&gt;|SiamRPN++|ATOM|SiamFC"  # higher is better: descending first
    assert attr["by-success-again"] == "SiamFC|ATOM|SiamRPN++|Half&lt;b&gt;"
    assert attr["by-name"] == "ATOM|Half&lt;b&gt;|SiamFC|SiamRPN++"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", dom.split('id="leaderboard"')[1].split("</table>")[0])
    assert len(rows) == 5  # header + 4 runs; the partial one shows its coverage
    assert "50/100" in dom and "Half&lt;b&gt;" in dom and "<b>" not in dom.split('id="runs"')[1]


def test_screenshot_is_not_blank(report_page, tmp_path):
    import cv2

    shot = tmp_path / "page.png"
    result = _chromium(tmp_path, "--window-size=1200,1800", f"--screenshot={shot}", report_page.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    img = cv2.imread(str(shot))
    assert img.shape[:2] == (1800, 1200)
    ink = (img < 200).any(axis=2)
    assert 0.02 < ink.mean() < 0.6  # text, table rules and plot lines, on a white page
    colourful = (np.ptp(img.astype(int), axis=2) > 60).mean()
    assert colourful > 0.002  # the embedded plots' coloured curves are painted


# Loads the target of every link of the per-sequence table as an image, and sorts that table by
# its first run's column; records what loaded and the order.
LINK_PROBE = """<script>
window.addEventListener('load', function(){
  var links = Array.prototype.slice.call(document.querySelectorAll('#sequences tbody a'));
  document.body.setAttribute('data-links', links.length);
  var ok = 0, done = 0;
  links.forEach(function(a){
    var img = new Image();
    img.onload = function(){ if (img.naturalWidth > 0) ok++; done++; finish(); };
    img.onerror = function(){ done++; finish(); };
    img.src = a.href;
  });
  function finish(){ if (done === links.length) document.body.setAttribute('data-links-ok', ok); }
  var heads = document.querySelectorAll('#sequences thead th');
  heads[4].click();
  document.body.setAttribute('data-order', Array.prototype.map.call(
      document.querySelectorAll('#sequences tbody tr'), function(r){ return r.cells[0].textContent; }).join('|'));
});
</script>"""


def test_per_sequence_rows_open_their_iou_plot_and_gallery(synthetic_root, tmp_path):
    if CHROMIUM is None:
        pytest.skip("needs headless Chromium (`apt-get install chromium`; .ci/run installs it)")
    from sotbench.datasets import load_dataset
    from sotbench.report import make_report

    ds = load_dataset("synthetic", root=synthetic_root)
    for name, shift in (("Exact", 0.0), ("Shifted", 0.4)):
        run = tmp_path / "results" / "synthetic" / name
        run.mkdir(parents=True)
        for seq in ds:
            boxes = seq.gt[:, :4].copy()
            boxes[1:, 0] += shift * boxes[1:, 2] * (len(ds) - ds.names.index(seq.name)) / 4  # later: better
            np.savetxt(run / f"{seq.name}.txt", boxes, fmt="%.4f", delimiter=",")
    paths = make_report(ds, [], tmp_path / "rep", formats="html", results_roots=[tmp_path / "results"],
                        galleries=True, gallery_frames=3)
    probed = paths.html.with_name("probed.html")
    probed.write_text(paths.html.read_text().replace("</body>", LINK_PROBE + "</body>"))
    result = _chromium(tmp_path, "--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom",
                       probed.as_uri())
    body = re.search(r"<body([^>]*)>", result.stdout).group(1)
    attr = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body))
    assert attr["links"] == str(2 * len(ds)) and attr["links-ok"] == attr["links"], result.stderr[-2000:]
    # sorted by the second run's score, best first (higher is better)
    scores = {s: float(v) for s, v in zip(ds.names, re.findall(
        r'<td class="num[^"]*" data-value="([^"]+)"', paths.html.read_text().split('id="sequences"')[1])[2::3])}
    assert attr["order"].split("|") == sorted(ds.names, key=lambda s: -scores[s]) != ds.names
