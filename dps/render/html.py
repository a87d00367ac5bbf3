"""Single-page HTML for people: the profile (profile.html) and the run report (_dps_report.html).

Pages are self-contained, so they open from disk, from an object store download or as a mail attachment: CSS is
inline, images are base64 data URIs, charts of the run report are inline SVG, and nothing is fetched.
"""

from __future__ import annotations

import base64
import shlex
from html import escape

from dps import __version__
from dps.render.charts import COLORS, threshold_lines
from dps.render.format import pct

# How much of each example document the run report shows (how many per reason: report.examples_per_reason).
EXAMPLE_CHARS = 300
LINE_EXAMPLES = 10  # line_dedup: the most frequent removed lines shown

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans KR","Malgun Gothic",sans-serif;margin:24px auto;
max-width:1100px;padding:0 16px;color:#1b1b1b}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px;margin:22px 0 6px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px}
th{background:#f4f4f4;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555;font-size:13px}.ok{color:#11743a;font-weight:600}.broken{color:#b00020;font-weight:600}
pre.doc{white-space:pre-wrap;word-break:break-all;background:#fafafa;border:1px solid #e4e4e4;padding:8px;
margin:4px 0 10px;font:13px/1.5 ui-monospace,Menlo,Consolas,"Noto Sans Mono CJK KR",monospace}
img{max-width:100%;border:1px solid #eee}code{background:#f4f4f4;padding:0 3px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px}pre.doc.kept{background:#f3faf5}
"""


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
            f'<p class="meta">dps {escape(__version__)}</p>\n</body>\n</html>\n')


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _table(head: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """Cells are HTML already (escape text before); columns from `numeric_from` on are right-aligned."""
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="n">{c}</td>' if i >= numeric_from else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _num(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.4g}"


def anchor(name: str) -> str:
    return "m-" + "".join(c if c.isalnum() else "-" for c in name)


# ---------------------------------------------------------------------------------------------------- profile

def profile_html(doc: dict, images: dict[str, bytes]) -> str:
    """profile.html: what each threshold removes per source, then every metric's picture and quantiles."""
    sources = list(doc["metrics"][0]["by_source"])
    multi = len(sources) > 1
    rec = doc["records"]
    quarantined = ", ".join(f"{escape(r)} {n:,}" for r, n in rec["quarantined"].items()) or "none"
    origin = (f'column <code>{escape(doc["source_column"])}</code>' if doc["source_column"]
              else "none (one source, all)")
    body = [
        "<h1>dps profile</h1>",
        f'<p class="meta">config <code>{escape(doc["config"])}</code> · input '
        + ", ".join(f"<code>{escape(p)}</code>" for p in doc["input"])
        + f' · sample fraction {doc["sample_fraction"]:g} (seed {doc["seed"]}) · sources: {origin}'
        + f' · chain: {escape(" → ".join(doc["stages"]))}</p>',
        f'<p>{rec["read"]:,} records read, {rec["profiled"]:,} profiled; quarantined and not profiled: '
        f"{quarantined}.</p>",
        _table(["source", "records", "profiled", "quarantined"],
               [[escape(s), _num(v["records"]), _num(v["profiled"]), _num(v["quarantined"])]
                for s, v in doc["sources"].items()]),
        "<h2>What each threshold would remove</h2>",
        "<p>Share of each source's documents that the rule <em>alone</em> would reject, on the text as its filter "
        "sees it (after the map stages before it), whatever the other rules do. Counted exactly, not read off the "
        "histograms. Try another value with <code>dps profile CONFIG --set stages.STAGE.PARAM=VALUE</code>.</p>",
    ]
    rows = []
    for entry in doc["metrics"]:
        for t in entry["thresholds"]:
            if t["value"] is None:
                continue
            rule = (f'<a href="#{anchor(entry["name"])}">{escape(entry["name"])}</a> {escape(t["symbol"])} '
                    f'<code>{escape(t["param"])}</code> = {t["value"]:g}'
                    + (f' <span class="meta">{escape(t["condition"])}</span>' if t["condition"] else ""))
            cells = [pct(t["removed"][s]["fraction"]) for s in sources]
            rows.append([rule, *cells, *([pct(t["removed_all"]["fraction"])] if multi else [])])
    body.append(_table(["rule", *map(escape, sources), *(["all"] if multi else [])], rows))
    body.append("<h2>Metrics</h2>")
    body.append("<p>Each picture: the share of each source's documents per bin (log-scaled x axis for counts and "
                "other heavy-tailed numbers), the configured thresholds as dashed red lines, and in the title the "
                "share of each source each threshold would remove. Values beyond the axis are counted in the "
                "legend.</p>")
    for entry in doc["metrics"]:
        where = ("on the input, before any stage" if entry["position"] is None
                 else f'at stage {entry["position"] + 1} of the chain ({escape(entry["stage"])})')
        body.append(f'<section id="{anchor(entry["name"])}">')
        body.append(f'<h3>{escape(entry["name"])}</h3>')
        body.append(f'<p class="meta">{escape(entry["description"])} · measured {where}</p>')
        for line in threshold_lines(entry, sources):
            body.append(f'<p class="meta">{escape(line)}</p>')
        body.append(f'<img src="{data_uri(images[entry["name"]])}" alt="{escape(entry["name"])} by source">')
        head = ["source", "docs", "mean", "min", *doc["quantiles"], "max"]
        body.append(_table(head, [[escape(s), _num(v["docs"]), _num(v["mean"]), _num(v["min"]),
                                   *[_num(v[q]) for q in doc["quantiles"]], _num(v["max"])]
                                  for s, v in entry["by_source"].items()]))
        body.append("</section>")
    return page("dps profile", "\n".join(body))


# ------------------------------------------------------------------------------------------------- run report

def _bar_chart(report, sources: list[str]) -> str:
    """Inline SVG: one horizontal bar per rejection reason, split by source."""
    reasons = [(s, r, d) for s, r, d, _ in report.by_reason() if s != "kept"]
    if not reasons:
        return "<p>No document was rejected.</p>"
    per = {}
    for row in report.rows:
        key = (row.status, row.reason)
        src = row.source if row.source is not None else "(none)"
        per.setdefault(key, {})
        per[key][src] = per[key].get(src, 0) + row.docs
    largest = max(d for _, _, d in reasons)
    label_w, bar_w, row_h = 360, 520, 20
    legend_h = 24 if len(sources) > 1 else 0
    height = legend_h + row_h * len(reasons) + 6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 80}" height="{height}" '
           'font-family="system-ui,sans-serif" font-size="12" role="img" '
           'aria-label="rejected documents per reason and source">']
    if legend_h:
        x = label_w
        for i, src in enumerate(sources):
            out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLORS[i % len(COLORS)]}"/>'
                       f'<text x="{x + 16}" y="16">{escape(src)}</text>')
            x += 24 + 8 * len(src)
    for n, (status, reason, docs) in enumerate(reasons):
        y = legend_h + n * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(status)} '
                   f"{escape(reason or '')}</text>")
        x = float(label_w)
        counts = per.get((status, reason), {})
        for i, src in enumerate(sources):
            w = bar_w * counts.get(src, 0) / largest
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 6}" '
                           f'fill="{COLORS[i % len(COLORS)]}"><title>{escape(src)}: {counts[src]:,}</title></rect>')
                x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 14}">{docs:,}</text>')
    out.append("</svg>")
    return "\n".join(out)


def index_line(report) -> str:
    """Nightly runs: the dedup index this run was checked against."""
    ix = getattr(report, "index", None)
    if not ix:
        return ""
    return (f'<p>dedup index <code>{escape(str(ix["path"]))}</code>: checked against {ix["docs_seen"]:,} documents '
            f'of {len(ix["runs_seen"])} earlier run(s); this run adds {report.written.get("index_rows", 0):,}.</p>')


def _more_line(report, reason: str, docs: int, shown: int) -> str:
    """Under a reason's examples: the command listing its documents (of "$OUT", defined at the top of the page, so
    the examples section is the same for the same documents wherever the output is), or why there is none."""
    command = report.show_command(reason, '"$OUT"')
    lead = f"{shown:,} of {docs:,} shown" if shown < docs else f"all {docs:,} shown"
    if command is None:
        return (f'<p class="meta">{lead}; this run kept no rejected documents: set '
                "<code>output.rejected_path</code> to list them with <code>dps show</code>.</p>")
    return f'<p class="meta">{lead}; more with their evidence: <code>{escape(command)}</code></p>'


def _show_line(report) -> str:
    """At the top of the page: the output folder the per-reason `dps show "$OUT"` commands read."""
    folder = report.show_output()
    if folder is None:
        return ""
    command = escape('dps show "$OUT" ...')
    return (f'<p class="meta">More documents of a reason, with their evidence: <code>OUT={escape(shlex.quote(folder))}'
            f"</code>, then the <code>{command}</code> command under the reason's examples.</p>")


def run_report_html(report, examples: list[dict]) -> str:
    """_dps_report.html: counts per status and reason per source (table and chart), map stage edits, and for each
    rejection reason a few example documents (PII tagged, cut to EXAMPLE_CHARS characters)."""
    holds, equation = report.invariant()
    n = max(report.input_records, 1)
    by_source = report.by_source()
    sources = list(by_source) if by_source else []
    cells: dict[tuple, dict[str, int]] = {}
    for row in report.rows:
        src = row.source if row.source is not None else "(none)"
        cells.setdefault((row.status, row.reason), {})
        cells[(row.status, row.reason)][src] = cells[(row.status, row.reason)].get(src, 0) + row.docs
    config = report.config
    body = [
        "<h1>dps run report</h1>",
        '<p class="meta">input ' + ", ".join(f"<code>{escape(str(p))}</code>" for p in config["input"]["paths"])
        + f' · output <code>{escape(str(config["output"]["path"]))}</code>'
        + (f' · run_id {escape(str(config["run_id"]))}' if config.get("run_id") else "")
        + f' · seed {config["seed"]} · stages: ' + escape(" → ".join(next(iter(s)) for s in config["stages"])) + "</p>",
        f'<p class="{"ok" if holds else "broken"}">{"OK" if holds else "BROKEN"}: {escape(equation)}</p>',
        index_line(report),
        _show_line(report),
        "<h2>Status and reason per source</h2>",
        _bar_chart(report, sources or ["(none)"]),  # no source column: every row's source is None
    ]
    rows = []
    for status, reason, docs, chars in report.by_reason():
        link = (f'<a href="#{anchor(status + ":" + (reason or ""))}">{escape(reason)}</a>'
                if status != "kept" and reason else escape(reason or ""))
        rows.append([escape(status), link, *[_num(cells[(status, reason)].get(s, 0)) for s in sources],
                     _num(docs), f"{docs / n:.1%}", _num(chars)])
    body.append(_table(["status", "reason", *map(escape, sources), "docs", "share", "chars"], rows,
                       numeric_from=2))
    if report.edits:
        body.append("<h2>What the map stages changed</h2>")
        edit_rows = []
        for e in report.edits:
            edit_rows.append([f"<code>{escape(e['stage'])}</code>", _num(e["docs_changed"]),
                              _num(e["chars_removed"])])
            edit_rows += [[f"&nbsp;&nbsp;{escape(c)}", _num(v), ""] for c, v in e.get("counters", {}).items()]
        body.append(_table(["map stage", "docs changed", "chars removed"], edit_rows))
    lines = [ex for ex in examples if ex.get("kind") == "line"]
    if lines:
        body.append("<h2>Most frequent lines removed by line_dedup</h2>")
        body.append(f"<p>Up to {LINE_EXAMPLES} removed lines (a run of short lines is one unit), by the number of "
                    "documents holding them, as in their first document; personal data tagged as above.</p>")
        body.append(_table(["line", "documents"], [[f'<pre class="doc">{escape(ex["text"])}</pre>', _num(ex["docs"])]
                                                  for ex in lines]))
    body.append("<h2>Examples per reason</h2>")
    per_reason = config.get("report", {}).get("examples_per_reason")
    up_to = f"Up to {per_reason}" if per_reason is not None else "A few"
    body.append(f"<p>{up_to} documents per reason (<code>report.examples_per_reason</code>), the same ones on every "
                f"run with the same seed (smallest seeded hash of the text), as the rejecting stage saw them, cut to "
                f"{EXAMPLE_CHARS} characters; personal data is tagged with surrogates as tag_pii does. Quarantined "
                "records that could not be read show their raw line. Under each reason, the <code>dps show</code> "
                "command that lists more of its documents, whole and with their evidence.</p>")
    by_reason: dict[tuple, list[dict]] = {}
    for ex in examples:
        by_reason.setdefault((ex["status"], ex["reason"]), []).append(ex)
    for status, reason, docs, _ in report.by_reason():
        if status == "kept":
            continue
        body.append(f'<h3 id="{anchor(status + ":" + (reason or ""))}">{escape(status)} · {escape(reason or "")} '
                    f'<span class="meta">({docs:,} document{"" if docs == 1 else "s"})</span></h3>')
        shown = by_reason.get((status, reason), [])
        for ex in shown:
            meta = " · ".join(escape(f"{k} {ex[k]}") for k in ("source", "id") if ex.get(k) is not None)
            if meta:
                body.append(f'<div class="meta">{meta}</div>')
            if ex.get("detail"):
                body.append(f'<div class="meta">evidence: <code>{escape(ex["detail"])}</code></div>')
            if ex.get("dup_of") is not None:
                run = f' of run {ex["dup_of_run"]}' if ex.get("dup_of_run") else ""
                body.append(f'<div class="meta">duplicates {escape(str(ex["dup_of"]))}{escape(run)}</div>')
            if ex.get("survivor_text") is not None:
                body.append('<div class="pair">'
                            f'<pre class="doc">{escape(ex["text"])}</pre>'
                            f'<pre class="doc kept">{escape(ex["survivor_text"])}</pre></div>')
            else:
                body.append(f'<pre class="doc">{escape(ex["text"])}</pre>')
        if reason:
            body.append(_more_line(report, reason, docs, len(shown)))
    return page("dps run report", "\n".join(body))
