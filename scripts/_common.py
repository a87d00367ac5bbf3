"""What the scripts share: where the shared samples are, reading JSONL records, and scratch folders.

The shared samples (`ko_news_sample.jsonl`, `ko_reviews_sample.jsonl`: real Korean text, not part of the repository)
are looked for in `../shared/data` beside the checkout; every script takes `--data` for another place.
A `--work` scratch folder is emptied only when a benchmark made it (a marker file inside): one that points at a
folder of real data is never emptied."""

from __future__ import annotations

import glob
import json
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "..", "shared", "data")
MARKER = ".dps-scratch"


def data_files(data: str = DATA_DIR) -> list[str]:
    """The `*.jsonl` files of a folder, sorted (none when it does not exist)."""
    return sorted(glob.glob(os.path.join(data, "*.jsonl")))


def read_records(path: str, limit: int | None = None) -> list[dict]:
    """The JSON objects with a string `text` of a JSONL file, in order (blank lines skipped), at most `limit`."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line) if line.strip() else None
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                records.append(record)
                if limit and len(records) >= limit:
                    break
    return records


def read_texts(path: str, limit: int | None = None) -> list[str]:
    """The `text` of every record `read_records` returns."""
    return [record["text"] for record in read_records(path, limit)]


def scratch_folder(path: str, *, fresh: bool = True) -> str:
    """Make `path` a scratch folder (emptied first when `fresh`); exit if it holds files a benchmark did not make."""
    path = os.path.abspath(path)
    if os.path.isdir(path) and os.listdir(path) and not os.path.exists(os.path.join(path, MARKER)):
        sys.exit(f"{os.path.basename(sys.argv[0])}: --work {path} holds files and was not made by a dps benchmark "
                 f"(no {MARKER} in it); give a new or empty folder")
    if os.path.exists(path) and not os.path.isdir(path):
        sys.exit(f"{os.path.basename(sys.argv[0])}: --work {path} is a file")
    if fresh and os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path, exist_ok=True)
    open(os.path.join(path, MARKER), "w").close()
    return path


def targets_table(checks) -> str:
    """A markdown table of (target, met: True / False / None = not measured, figures)."""
    lines = ["| target | met | figures |", "|---|---|---|"]
    for name, met, figures in checks:
        lines.append(f"| {name} | {'met' if met else 'not measured' if met is None else 'NOT MET'} | {figures} |")
    return "\n".join(lines) + "\n"


def write_jsonl_once(path: str, rows) -> None:
    """Write JSONL rows to `path` unless it exists (a run killed half-way leaves only a .tmp file)."""
    if os.path.exists(path):
        return
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)


def link_folder(work: str, name: str, files: list[str]) -> str:
    """`work`/corpora/`name`: a folder of symlinks to `files`, in order (a run's input path)."""
    folder = os.path.join(work, "corpora", name)
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "*")):
        os.remove(f)
    for i, f in enumerate(files):
        os.symlink(os.path.abspath(f), os.path.join(folder, f"{i:04d}-{os.path.basename(f)}"))
    return folder
