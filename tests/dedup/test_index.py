"""The dedup index's manifests without Spark: what a run sees, reruns, refused concurrent commits, leftovers."""

import json
import os

import pytest

from dps.config import ConfigError, parse_config
from dps.dedup.index import FORMAT, IndexStore, LocalFS, Manifest, index_stats, open_index

SETTINGS = {"format": FORMAT, "id_column": "id", "exact_dedup": {"lowercase": False, "strip_punctuation": False},
            "minhash_dedup": None}


def config(tmp_path, run_id, **extra):
    raw = {"input": {"paths": str(tmp_path / "in.jsonl")}, "output": {"path": str(tmp_path / "out")},
           "index": {"path": str(tmp_path / "ix")}, "run_id": run_id, "stages": ["exact_dedup"], **extra}
    return parse_config(raw, "nightly.yaml", check_paths=False)


def commit_run(tmp_path, run_id, docs):
    """What the pipeline does for a run: open the view, write a folder, commit it."""
    view = open_index(LocalFS(), config(tmp_path, run_id), SETTINGS)
    folder = view.store.new_folder(run_id)
    os.makedirs(tmp_path / "ix" / folder)
    (tmp_path / "ix" / folder / "part-00000.parquet").write_bytes(b"x" * docs)
    view.store.commit(run_id, folder, docs, SETTINGS, view.base_version)
    return view, folder


def test_empty_index_sees_nothing(tmp_path):
    view = open_index(LocalFS(), config(tmp_path, "d1"), SETTINGS)
    assert view.runs == [] and view.base_version == 0 and not view.has_runs
    assert "empty" in view.describe()


def test_later_runs_see_earlier_ones_and_reruns_see_only_what_came_before(tmp_path):
    commit_run(tmp_path, "d1", 3)
    commit_run(tmp_path, "d2", 4)
    view3, _ = commit_run(tmp_path, "d3", 5)
    assert [r.run_id for r in view3.runs] == ["d1", "d2"]
    # Rerunning d2 sees d1 only, whatever came after, and keeps its place in the history.
    rerun = open_index(LocalFS(), config(tmp_path, "d2"), SETTINGS)
    assert [r.run_id for r in rerun.runs] == ["d1"]
    _, folder = commit_run(tmp_path, "d2", 4)
    manifest = IndexStore(LocalFS(), str(tmp_path / "ix")).latest()
    assert [(r.run_id, r.seq) for r in manifest.runs] == [("d1", 1), ("d2", 2), ("d3", 3)]
    assert manifest.entry("d2").folder == folder
    # The replaced attempt's folder is gone; the other runs' folders are untouched.
    assert os.listdir(tmp_path / "ix" / "runs" / "d2") == [folder.rsplit("/", 1)[-1]]
    assert len(os.listdir(tmp_path / "ix" / "runs" / "d1")) == 1


def test_commit_is_refused_when_another_run_committed_meanwhile(tmp_path):
    commit_run(tmp_path, "d1", 3)
    slow = open_index(LocalFS(), config(tmp_path, "d3"), SETTINGS)
    commit_run(tmp_path, "d2", 4)
    folder = slow.store.new_folder("d3")
    os.makedirs(tmp_path / "ix" / folder)
    with pytest.raises(RuntimeError, match="another run committed"):
        slow.store.commit("d3", folder, 1, SETTINGS, slow.base_version)
    assert [r.run_id for r in IndexStore(LocalFS(), str(tmp_path / "ix")).latest().runs] == ["d1", "d2"]


def test_uncommitted_folders_are_invisible_and_cleaned_by_the_next_commit_of_that_run(tmp_path):
    commit_run(tmp_path, "d1", 3)
    crashed = tmp_path / "ix" / "runs" / "d2" / "deadbeef"
    crashed.mkdir(parents=True)
    (tmp_path / "ix" / "_manifest" / ".000000000002.abcd.tmp").write_text("{half a manifest")
    view = open_index(LocalFS(), config(tmp_path, "d2"), SETTINGS)
    assert [r.run_id for r in view.runs] == ["d1"] and view.base_version == 1
    commit_run(tmp_path, "d2", 2)
    assert not crashed.exists()


def test_other_dedup_settings_are_a_config_error(tmp_path):
    commit_run(tmp_path, "d1", 3)
    other = {**SETTINGS, "exact_dedup": {"lowercase": True, "strip_punctuation": False}}
    with pytest.raises(ConfigError, match="other dedup settings.*exact_dedup"):
        open_index(LocalFS(), config(tmp_path, "d2"), other)


@pytest.mark.parametrize("written", [None, 1])
def test_an_index_of_the_old_format_is_refused_with_how_to_rebuild_it(tmp_path, written):
    """Format 1 (no "format" key in the oldest manifests) stored each kept document's text: refused, one line."""
    commit_run(tmp_path, "d1", 3)
    path = tmp_path / "ix" / "_manifest" / "000000000001.json"
    raw = json.loads(path.read_text())
    raw.pop("format")
    if written is not None:
        raw["format"] = written
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigError) as failure:
        open_index(LocalFS(), config(tmp_path, "d2"), SETTINGS)
    message = str(failure.value)
    assert message.startswith("nightly.yaml: index.path: ") and "\n" not in message
    assert f"has format 1 (written by an older dps: it holds the text of every kept document, unredacted); " \
           f"this dps reads format {FORMAT} only: move the folder aside and rebuild the index by rerunning every " \
           f"night, in order, with this index.path" in message
    assert "3 documents in 1 run(s)" in index_stats(str(tmp_path / "ix"))  # still readable for inspection


def test_manifest_round_trip(tmp_path):
    commit_run(tmp_path, "d1", 3)
    text = (tmp_path / "ix" / "_manifest" / "000000000001.json").read_text()
    assert Manifest.parse(text).to_json() == text
    assert json.loads(text)["runs"][0]["docs"] == 3


def test_index_stats(tmp_path):
    commit_run(tmp_path, "d1", 3)
    commit_run(tmp_path, "d2", 40)
    out = index_stats(str(tmp_path / "ix"))
    assert "43 documents in 2 run(s)" in out and "d2" in out
    summary = json.loads(index_stats(str(tmp_path / "ix"), as_json=True))
    assert summary["documents"] == 43 and summary["runs"] == 2 and summary["bytes"] == 43
    with pytest.raises(ConfigError, match="not a dps index"):
        index_stats(str(tmp_path))
    with pytest.raises(ConfigError, match="no such index"):
        index_stats(str(tmp_path / "nope"))


def test_config_run_id_and_index(tmp_path):
    cfg = config(tmp_path, "2026-11-23")
    assert cfg.run_path(cfg.output.path).endswith("/out/run_id=2026-11-23")
    assert cfg.run_path(None) is None
    import datetime
    assert config(tmp_path, datetime.date(2026, 11, 23)).run_id == "2026-11-23"  # YAML dates
    with pytest.raises(ConfigError, match="run_id: 'a/b' is not a valid run id"):
        config(tmp_path, "a/b")
    with pytest.raises(ConfigError, match="index.path: an index needs a run id"):
        config(tmp_path, None)
    with pytest.raises(ConfigError, match="index.path: must not lie inside output.path"):
        config(tmp_path, "d1", index={"path": str(tmp_path / "out" / "ix")})
    with pytest.raises(ConfigError, match=r"index.paht: unknown key \(did you mean 'path'\?\)"):
        config(tmp_path, "d1", index={"paht": "x"})


def test_cli_index_stats(tmp_path, capsys):
    from dps.cli import main

    commit_run(tmp_path, "d1", 5)
    assert main(["index", "stats", str(tmp_path / "ix")]) == 0
    assert "5 documents in 1 run(s)" in capsys.readouterr().out
    assert main(["index", "stats", str(tmp_path / "missing")]) == 2
    assert "no such index folder" in capsys.readouterr().err
