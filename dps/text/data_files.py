"""Loading the YAML data files the text stages ship (dps/data/) or that users pass instead."""

from __future__ import annotations

import importlib.resources

import yaml


def read_data_yaml(shipped_file: str, path: str | None) -> tuple[str, object]:
    """(name for messages, parsed YAML) of the user's file at `path`, or of dps/data/<shipped_file>."""
    if path is None:
        source = f"dps/data/{shipped_file}"
        text = (importlib.resources.files("dps") / "data" / shipped_file).read_text(encoding="utf-8")
    else:
        source = path
        with open(path, encoding="utf-8") as f:
            text = f.read()
    return source, yaml.safe_load(text) or {}
