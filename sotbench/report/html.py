"""One self-contained, offline HTML page: sortable tables (small inline script) and the
plots embedded as base64 PNG.  No external files, fonts or scripts."""

from __future__ import annotations

import base64
import html
import json

from sotbench.metrics.table import protocol_title
from sotbench.report.board import Board
from sotbench.report.tables import Table, format_interval, format_value

__all__ = ["render_html"]

_CSS = """
body{font-family:Georgia,"Times New Roman",serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
p.meta{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{padding:.25em .7em;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}
th.text,td.text{text-align:left}
thead th{border-bottom:2px solid #444;cursor:pointer;user-select:none;background:#fafafa}
thead th[aria-sort=ascending]::after{content:" \\25B2"}
thead th[aria-sort=descending]::after{content:" \\25BC"}
tr.unranked td{color:#888}td.best{font-weight:bold}
p.note{font-size:.88em;color:#555}
figure{display:inline-block;margin:.5em;vertical-align:top;text-align:center}
figure img{max-width:520px;border:1px solid #eee}figcaption{font-size:.85em;color:#555}
details{margin:.5em 0}code{font-size:.9em}
"""

# Click a header to sort by it (again: reverse).  Numbers sort by data-value; empty cells last.
_JS = """
(function(){
  function key(td){
    var v=td.getAttribute('data-value');
    return v===null?td.textContent.trim().toLowerCase():(v===''?null:parseFloat(v));
  }
  function sortBy(th){
    var table=th.closest('table'),body=table.tBodies[0],idx=Array.prototype.indexOf.call(th.parentNode.children,th);
    var asc=th.getAttribute('aria-sort')!=='ascending';
    if(th.getAttribute('aria-sort')===null&&th.getAttribute('data-better')==='higher')asc=false;
    Array.prototype.forEach.call(th.parentNode.children,function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',asc?'ascending':'descending');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=key(a.cells[idx]),y=key(b.cells[idx]);
      if(x===null&&y===null)return 0;if(x===null)return 1;if(y===null)return -1;
      var c=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y));
      return asc?c:-c;});
    rows.forEach(function(r){body.appendChild(r);});
  }
  document.querySelectorAll('table.sortable thead th').forEach(function(th){
    th.addEventListener('click',function(){sortBy(th);});});
})();
"""


def _links_html(links: dict[str, str] | None) -> str:
    """The row's links (IoU plot, failure gallery), opening in a new tab."""
    names = {"iou": "IoU plot", "gallery": "gallery"}
    return " ".join(f'<a href="{html.escape(href)}" target="_blank" rel="noopener" class="{html.escape(kind)}">'
                    f"{names.get(kind, html.escape(kind))}</a>" for kind, href in (links or {}).items()) or "–"


def _table_html(table: Table, table_id: str, percent: bool, links: dict[str, dict[str, str]] | None = None) -> str:
    """A sortable table; with ``links`` (first column's value -> kind -> href) a last cell of links."""
    head = "".join(
        f'<th class="{"text" if c.kind == "text" else "num"}"'
        + (f' data-better="{"higher" if c.higher_is_better else "lower"}"' if c.kind == "metric" else "")
        + f">{html.escape(c.label)}</th>" for c in table.columns)
    if links is not None:
        head += '<th class="text">Plots</th>'
    body = []
    for i, row in enumerate(table.rows):
        cells = []
        for c in table.columns:
            value = row.get(c.key)
            if c.kind == "text":
                cells.append(f'<td class="text">{html.escape(str(value if value is not None else "–"))}</td>')
                continue
            cls = " best" if c.kind == "metric" and table.is_best(row, c.key) else ""
            text = str(value) if c.kind == "rank" and value is not None else format_value(value, c, percent)
            spread = format_interval(row.get(f"{c.key}:ci95"), c, percent) if value is not None else ""
            text = f"{text} {spread}" if spread else text
            data = "" if value is None else repr(float(value))
            cells.append(f'<td class="num{cls}" data-value="{data}">{html.escape(text)}</td>')
        if links is not None:
            cells.append(f'<td class="text">{_links_html(links.get(str(row.get(table.columns[0].key))))}</td>')
        cls = "" if i < table.n_ranked else ' class="unranked"'
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in table.notes)
    return (f'<table class="sortable" id="{table_id}"><caption hidden>{html.escape(table.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{notes}")


def _figure_html(title: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(title)}">'
            f"<figcaption>{html.escape(title)}</figcaption></figure>")


def _runs_html(board: Board) -> str:
    rows = []
    for e in board.entries:
        s = e.scores
        tracker = s.get("tracker") or {}
        what = tracker.get("tracker", "imported raw results")
        params = json.dumps(tracker.get("params"), sort_keys=True) if tracker.get("params") else ""
        rows.append("<tr>" + "".join(f'<td class="text">{html.escape(str(v))}</td>' for v in (
            e.shown, what, params, s.get("run_dir", ""), str(s.get("results_hash", ""))[:12], e.coverage_text,
            ", ".join(e.tags) or "–", len(s.get("warnings") or []))) + "</tr>")
    head = "".join(f'<th class="text">{h}</th>' for h in
                   ("Run", "Tracker", "Parameters", "Results folder", "Results hash", "Sequences", "Caveats",
                    "Warnings"))
    warnings = "".join(f"<li><b>{html.escape(e.shown)}</b>: {html.escape(str(w))}</li>"
                       for e in board.entries for w in (e.scores.get("warnings") or []))
    details = f"<details><summary>Warnings</summary><ul>{warnings}</ul></details>" if warnings else ""
    return (f'<table class="sortable" id="runs"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{details}')


def render_html(board: Board, tables: dict[str, Table], figures: list[tuple[str, bytes]],
                percent: bool = False, generator: str = "sotbench",
                sequence_links: dict[str, dict[str, str]] | None = None) -> str:
    """The page: leaderboard, per-attribute table, plots (``(title, PNG bytes)``), per-sequence
    table (each row links its ``sequence_links``: IoU plot, gallery), runs."""
    protocol = protocol_title(board.protocol)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(board.title)} leaderboard</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(board.title)} leaderboard</h1>",
        f'<p class="meta">{html.escape(protocol)}, split {html.escape(board.split)}, metric profile '
        f"<code>{html.escape(board.profile)}</code>; {len(board.entries)} runs"
        + (f", {len(board.skipped)} skipped (listed under Skipped runs)" if board.skipped else "") + ". Generated by "
        f"{html.escape(generator)}. Click a column header to sort.</p>",
        "<h2>Leaderboard</h2>", _table_html(tables["leaderboard"], "leaderboard", percent),
    ]
    if "attributes" in tables:
        parts += ["<h2>Per attribute</h2>", f'<p class="meta">{html.escape(tables["attributes"].caption)}</p>',
                  _table_html(tables["attributes"], "attributes", percent)]
    if figures:
        parts += ["<h2>Plots</h2>", "<div>", *(_figure_html(t, p) for t, p in figures), "</div>"]
    if "sequences" in tables:
        parts += ["<h2>Per sequence</h2>", f'<p class="meta">{html.escape(tables["sequences"].caption)}; best run of '
                  "each sequence in bold. The links open the sequence's IoU-over-time plot and its failure gallery "
                  "(the frames where each run's overlap drops most or the target is lost).</p>",
                  _table_html(tables["sequences"], "sequences", percent, sequence_links or {})]
    parts += ["<h2>Runs</h2>", _runs_html(board)]
    if board.skipped:
        items = "".join(f"<li>{html.escape(s.line())}</li>" for s in board.skipped)
        parts += ["<h2>Skipped runs</h2>", f'<p class="meta">Not in this report (not scored):</p><ul>{items}</ul>']
    parts += [f"<script>{_JS}</script>", "</body></html>"]
    return "\n".join(parts) + "\n"
