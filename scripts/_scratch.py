"""Scratch folders of the benchmark scripts: deleted only when a benchmark made them (a marker file inside).

A `--work` that points at a folder of real data must never be emptied by a benchmark."""

from __future__ import annotations

import os
import shutil
import sys

MARKER = ".dps-scratch"


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
