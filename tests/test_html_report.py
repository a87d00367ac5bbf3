"""The run report page without Spark: escaping, per-source columns, examples under their reason."""

from html.parser import HTMLParser

from dps.render.html import run_report_html
from dps.report import ReasonCount, Report

CONFIG = {"input": {"paths": ["in.jsonl"]}, "output": {"path": "out"}, "seed": 1,
          "stages": [{"normalize": {}}, {"gopher_quality": {}}]}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_examples_are_escaped_and_listed_under_their_reason():
    report = Report(5, [ReasonCount("kept", None, "news", 3, 300),
                        ReasonCount("filtered", "gopher_quality:too_few_words", "comments", 2, 20)], CONFIG)
    hostile = '<script>alert("x")</script> 짧은 글 <img src=http://evil/x.png>'
    html = run_report_html(report, [{"status": "filtered", "reason": "gopher_quality:too_few_words",
                                     "text": hostile, "source": "comments", "id": "c1"}])
    parsed = Tags()
    parsed.feed(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags  # shown as text, never as markup
    assert hostile in "".join(parsed.text)
    assert "OK: input 5 = kept 3 + filtered 2" in html
    section = html[html.index('id="m-filtered-gopher-quality-too-few-words"'):]
    assert "source comments · id c1" in section and "(2 documents)" in section
    header = html[html.index("<th>status</th>"):html.index("</tr>", html.index("<th>status</th>"))]
    assert "<th>comments</th><th>news</th>" in header


def test_without_a_source_column_there_are_no_source_columns():
    report = Report(2, [ReasonCount("kept", None, None, 1, 10),
                        ReasonCount("quarantined", "read:malformed_json", None, 1, 0)], CONFIG)
    html = run_report_html(report, [])
    assert "<th>status</th><th>reason</th><th>docs</th>" in html
    assert "(1 document)" in html and "<svg" in html


def test_a_nightly_run_shows_its_run_id_and_index():
    report = Report(1, [ReasonCount("kept", None, None, 1, 10)], {**CONFIG, "run_id": "2026-11-23"})
    report.index = {"path": "/data/ix", "run_id": "2026-11-23", "runs_seen": ["2026-11-22"], "docs_seen": 1234}
    report.written["index_rows"] = 1
    html = run_report_html(report, [])
    assert "run_id 2026-11-23" in html and "checked against 1,234 documents of 1 earlier run(s)" in html
