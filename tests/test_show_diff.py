"""`dps show` and `dps diff` on finished runs, written here as a run writes them (Parquet shards and
`_dps_report.json` in the kept and the rejected folder): no Spark, milliseconds. tests/test_outside_stages.py runs
`dps show` on the output of a real run."""

from __future__ import annotations

import io
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dps.diff
from dps.cli import main
from dps.config import ConfigError
from dps.diff import diff
from dps.run_output import open_run
from dps.show import show

STATUSES = ("kept", "filtered", "duplicate", "quarantined")


def _doc(i, source, text, status="kept", reason=None, raw=None, dup_of=None, detail=None):
    return {"id": None if raw else f"d{i:03d}", "source": None if raw else source, "text": None if raw else text,
            "dps_status": status, "dps_reason": reason, "dps_raw": raw, "dps_detail": detail, "dup_of": dup_of}


def _write_run(root, name, docs, *, id_column="id", rejected=True, shards=2, run_id=None):
    """A finished run as dps writes it: kept shards (input columns only), rejected shards (with the marks, sorted
    by status, reason and text), and the report in both folders. Returns the kept folder."""
    kept_dir = os.path.join(root, name)
    rej_dir = os.path.join(root, name + "_rejected")
    out_kept, out_rej = kept_dir, rej_dir
    if run_id:
        out_kept, out_rej = f"{kept_dir}/run_id={run_id}", f"{rej_dir}/run_id={run_id}"
    kept = [{k: d[k] for k in ("id", "source", "text")} for d in docs if d["dps_status"] == "kept"]
    rej = sorted((d for d in docs if d["dps_status"] != "kept"),
                 key=lambda d: (d["dps_status"], d["dps_reason"], d["text"] or ""))
    if id_column is None:
        kept = [{k: v for k, v in d.items() if k != "id"} for d in kept]
        rej = [{k: v for k, v in d.items() if k != "id"} for d in rej]
    reasons: dict[tuple, int] = {}
    by_source: dict[str, dict[str, int]] = {}
    for d in docs:
        reasons[(d["dps_status"], d["dps_reason"])] = reasons.get((d["dps_status"], d["dps_reason"]), 0) + 1
        src = by_source.setdefault(d["source"] or "(none)", {s: 0 for s in STATUSES})
        src[d["dps_status"]] += 1
    report = {"input_records": len(docs), "totals": {s: sum(1 for d in docs if d["dps_status"] == s) for s in STATUSES},
              "reasons": [{"status": s, "reason": r, "docs": n, "chars": 0}
                          for (s, r), n in sorted(reasons.items(), key=lambda kv: (STATUSES.index(kv[0][0]),
                                                                                     -kv[1], kv[0][1] or ""))],
              "by_source": dict(sorted(by_source.items())),
              "config": {"input": {"paths": ["in.jsonl"], "text_column": "text", "id_column": id_column,
                                   "source_column": "source"},
                         "output": {"path": kept_dir, "rejected_path": rej_dir if rejected else None},
                         "run_id": run_id, "seed": 1, "stages": []}}
    folders = [(out_kept, kept)] + ([(out_rej, rej)] if rejected else [])
    for folder, rows in folders:
        os.makedirs(folder)
        per = max(1, -(-len(rows) // shards))
        for k in range(shards):
            part = rows[k * per:(k + 1) * per]
            if part or k == 0:
                schema = pa.Table.from_pylist(rows).schema if rows else pa.schema([("text", pa.string())])
                pq.write_table(pa.Table.from_pylist(part, schema=schema), f"{folder}/part-{k:05d}.zstd.parquet",
                               row_group_size=2)
        with open(f"{folder}/_dps_report.json", "w", encoding="utf-8") as fh:
            json.dump(report, fh)
    return out_kept


def _run_a():
    return [_doc(1, "news", "뉴스 본문입니다. 오늘 날씨가 맑습니다."),
            _doc(2, "blog", "블로그 글입니다. 여행 후기를 씁니다."),
            _doc(3, "comments", "ㅋㅋ", "filtered", "gopher_quality:too_few_words"),
            _doc(4, "comments", "좋아요", "filtered", "gopher_quality:too_few_words",
                 detail='{"rule": "too_few_words", "value": 1, "min": 20}'),
            _doc(5, "web", "aaaa aaaa aaaa", "filtered", "gopher_repetition:dup_line_fraction_high"),
            _doc(6, "news", "뉴스 본문입니다. 오늘 날씨가 맑습니다.", "duplicate", "exact_dedup", dup_of="d001"),
            _doc(7, None, None, "quarantined", "read:malformed_json", raw='{"id": "x", "text": "닫히지 않은'),
            _doc(8, "reviews", "영화가 재미있어요 추천합니다", "kept"),
            _doc(9, "reviews", "배우 연기가 좋았어요 또 볼래요", "kept")]


@pytest.fixture
def run_a(tmp_path):
    return _write_run(str(tmp_path), "a", _run_a())


def _show(run_dir, **kw):
    out, note = io.StringIO(), io.StringIO()
    n = show(open_run(run_dir), out=out, note=note, **kw)
    return n, out.getvalue(), note.getvalue()


def test_show_prints_a_reasons_documents_with_their_evidence(run_a):
    n, out, _ = _show(run_a, reason="gopher_quality:too_few_words")
    assert n == 2
    assert out.splitlines()[0] == f"{run_a}: gopher_quality:too_few_words (2); the first 20, in output order"
    assert "[1] filtered gopher_quality:too_few_words · id d003 · source comments · 2 chars\n    ㅋㅋ" in out
    assert "[2] filtered gopher_quality:too_few_words · id d004 · source comments · 3 chars\n" \
           '    evidence: {"rule": "too_few_words", "value": 1, "min": 20}\n    좋아요' in out
    assert out.rstrip().endswith("2 documents shown")
    _, dup, _ = _show(run_a, reason="exact_dedup")
    assert "duplicate exact_dedup · id d006 · source news · dup_of d001" in dup
    _, bad, _ = _show(run_a, reason="quarantined")
    assert "(the raw input line: the record could not be read)\n    {\"id\": \"x\", \"text\": \"닫히지 않은" in bad


def test_a_stage_or_a_status_names_all_its_reasons_and_n_limits(run_a):
    n, out, _ = _show(run_a, reason="gopher_quality", limit=1)
    assert n == 1 and "gopher_quality:too_few_words (2)" in out.splitlines()[0]
    assert out.rstrip().endswith("1 document shown of 2; -n 2 for more, -n 0 for all")
    n, out, _ = _show(run_a, reason="filtered", limit=0)
    assert n == 3 and "gopher_repetition:dup_line_fraction_high" in out
    assert _show(run_a, reason="filtered", limit=2) == _show(run_a, reason="filtered", limit=2)  # deterministic


def test_an_unknown_reason_lists_the_reasons_present_with_counts(run_a, capsys):
    with pytest.raises(ConfigError) as err:
        _show(run_a, reason="gopher_qualty:too_few_words")
    text = str(err.value)
    assert "no document of" in text and "(did you mean 'gopher_quality:too_few_words'?)" in text
    assert "reasons in this run: gopher_quality:too_few_words (2), gopher_repetition:dup_line_fraction_high (1), " \
           "exact_dedup (1), read:malformed_json (1)" in text
    assert main(["show", run_a, "--reason", "nope"]) == 2
    err_line = capsys.readouterr().err
    assert err_line.startswith("dps: error: --reason 'nope': ") and err_line.count("\n") == 1


def test_show_by_source_kept_and_jsonl(run_a):
    n, out, _ = _show(run_a, kept=True, source="reviews")
    assert n == 2 and "kept documents of source reviews" in out and "[1] id d008 · source reviews" in out
    assert out.rstrip().endswith("2 documents shown")
    with pytest.raises(ConfigError, match="--source 'revue': no such source .*; sources: .*reviews"):
        _show(run_a, source="revue")
    with pytest.raises(ConfigError, match="--kept and --reason"):
        _show(run_a, kept=True, reason="exact_dedup")
    n, out, note = _show(run_a, reason="gopher_quality:too_few_words", jsonl=True)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["d003", "d004"] and rows[0]["text"] == "ㅋㅋ"
    assert rows[0]["dps_reason"] == "gopher_quality:too_few_words" and "2 documents shown" in note


def test_show_cuts_long_texts(tmp_path):
    run = _write_run(str(tmp_path), "long", [_doc(1, "web", "가" * 1000, "filtered", "spam_filter:spam_ads")])
    _, out, _ = _show(run, reason="spam_filter:spam_ads", chars=10)
    assert "1,000 chars\n    가가가가가가가가가가 … (990 more)" in out


def test_either_folder_of_a_run_finds_the_other_even_when_moved(run_a, tmp_path):
    rejected = run_a + "_rejected"
    assert _show(rejected, kept=True)[0] == 4
    moved = str(tmp_path / "moved")
    os.rename(rejected, moved)
    assert _show(moved, reason="exact_dedup")[0] == 1
    with pytest.raises(ConfigError, match="rejected output of this run is not where its report says"):
        _show(run_a, reason="exact_dedup")
    nightly = _write_run(str(tmp_path), "night", _run_a(), run_id="2026-11-23")
    assert _show(nightly, reason="exact_dedup")[0] == 1


def test_show_says_why_it_cannot(tmp_path):
    none = _write_run(str(tmp_path), "kept_only", _run_a(), rejected=False)
    with pytest.raises(ConfigError, match="kept no rejected documents \\(output.rejected_path was not set\\)"):
        _show(none, reason="exact_dedup")
    os.makedirs(tmp_path / "plain")
    with pytest.raises(ConfigError, match="no _dps_report.json: not the output folder of a finished dps run"):
        open_run(str(tmp_path / "plain"))
    nightly = _write_run(str(tmp_path), "night", _run_a(), run_id="2026-11-23")
    with pytest.raises(ConfigError, match=r"nightly runs: name one night's folder, e\.g\. .*/night/run_id=2026-11-23"):
        open_run(str(tmp_path / "night"))
    assert open_run(nightly).rejected == f"{tmp_path}/night_rejected/run_id=2026-11-23"
    with pytest.raises(ConfigError, match="no such folder"):
        open_run(str(tmp_path / "absent"))


def _run_b():
    """Run A with a higher min_words: the reviews are now too short; and one new document kept."""
    docs = _run_a()
    docs[7] = _doc(8, "reviews", "영화가 재미있어요 추천합니다", "filtered", "gopher_quality:too_few_words")
    docs[8] = _doc(9, "reviews", "배우 연기가 좋았어요 또 볼래요", "filtered", "gopher_quality:too_few_words")
    docs[4] = _doc(5, "web", "aaaa aaaa aaaa")
    return docs


def _diff(a, b, **kw):
    out = io.StringIO()
    lost, gained = diff(open_run(a), open_run(b), out=out, **kw)
    return lost, gained, out.getvalue()


def test_diff_counts_by_the_other_runs_reason_and_source_with_examples(tmp_path):
    a = _write_run(str(tmp_path), "a", _run_a())
    b = _write_run(str(tmp_path), "b", _run_b())
    lost, gained, out = _diff(a, b)
    assert (lost.docs, gained.docs) == (2, 1)
    assert lost.by_reason == {("filtered", "gopher_quality:too_few_words"): 2}
    assert lost.by_reason_source == {("filtered", "gopher_quality:too_few_words"): {"reviews": 2}}
    assert gained.by_reason == {("filtered", "gopher_repetition:dup_line_fraction_high"): 1}
    assert "documents matched by the id column 'id'" in out
    assert "kept in A, not in B: 2 documents" in out and "kept in B, not in A: 1 document\n" in out
    assert "gopher_quality:too_few_words" in out and "reviews 2" in out
    assert "filtered gopher_quality:too_few_words · id d008 · source reviews\n      영화가 재미있어요 추천합니다" in out
    assert _diff(a, b)[2] == out  # deterministic
    assert main(["diff", a, b]) == 0


def test_diff_without_an_id_matches_by_text_and_says_what_it_did_not_find(tmp_path):
    a = _write_run(str(tmp_path), "a", _run_a(), id_column=None)
    b_docs = _run_b()
    b_docs[2] = _doc(3, "comments", "ㅋㅋ")  # kept in B only
    b = _write_run(str(tmp_path), "b", b_docs, id_column=None, rejected=False)
    lost, gained, out = _diff(a, b)
    assert "a hash of the text (no id column common to both runs)" in out
    assert (lost.docs, lost.found) == (2, 0)  # B wrote no rejected output
    assert "(not in the rejected output of B)" in out
    assert gained.by_reason == {("filtered", "gopher_quality:too_few_words"): 1,
                                ("filtered", "gopher_repetition:dup_line_fraction_high"): 1}


def test_diff_samples_the_same_documents_on_both_sides_and_refuses_what_would_not_fit(tmp_path, monkeypatch):
    docs_a = [_doc(i, "web", f"문서 {i}") for i in range(400)]
    docs_b = [d if i % 4 else _doc(i, "web", d["text"], "filtered", "hangul_ratio:hangul_ratio_low")
              for i, d in enumerate(docs_a)]
    a = _write_run(str(tmp_path), "a", docs_a)
    b = _write_run(str(tmp_path), "b", docs_b)
    assert _diff(a, b)[0].docs == 100
    lost, _, out = _diff(a, b, sample=0.5)
    assert 25 < lost.docs < 75 and lost.found == lost.docs and "a sample of 0.5 of them" in out
    assert _diff(a, b, sample=0.5)[2] == out
    monkeypatch.setattr(dps.diff, "MAX_KEYS", 500)
    with pytest.raises(ConfigError, match=r"kept 700 documents; .* pass --sample 0\.71 \(or less\)"):
        _diff(a, b)
    assert _diff(a, b, sample=0.7)[0].docs > 0
