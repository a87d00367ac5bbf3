"""Line units and their hashes for line_dedup (pure text logic: no Spark).

A document is split on "\\n" into lines. Each line gets a key: NFC, case-folded, invisible format characters
(zero-width spaces, BOM) and all whitespace removed, every number (a digit run with the separators inside it:
1,234  2026.12.07  09:31) turned into one "0", so dates, view counts and page numbers do not make a site's footer
unique. A line whose key has at least `min_chars` characters is a unit of its own. Shorter lines are never counted
on their own: a maximal run of consecutive short lines (blank lines inside the run are skipped, a long line ends
it) is one unit, keyed by its lines' keys joined, and counted only if that joined key reaches `min_chars`. So a
menu written one item per line ("홈", "뉴스", "로그인", "회원가입") is one unit that repeats across a site's pages,
while a short greeting ("안녕하세요.") between two paragraphs is a unit too short to count and always stays.

Every function here is linear in the text: one normalization pass, one split, one hash per unit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

# Whitespace other than the newline (which separates lines), and invisible format characters.
_SPACE = re.compile(r"[^\S\n]+|[\u200b-\u200f\u2060\ufeff\u00ad]")
# A number with its separators (1,234  2026.12.07  09:31  02-123-4567) is one "0".
_DIGITS = re.compile(r"\d+(?:[.,:/-]\d+)*")
_BLANK_RUNS = re.compile(r"\n{3,}")


def line_keys(text: str) -> list[str]:
    """One normalized key per line of `text` (split on "\\n"): NFC, case-folded, whitespace and invisible
    characters removed, numbers -> "0"."""
    norm = _DIGITS.sub("0", _SPACE.sub("", unicodedata.normalize("NFC", text).casefold()))
    keys = norm.split("\n")
    # NFC and case folding never add or remove a newline, so keys and lines stay aligned; checked to be safe.
    if len(keys) != text.count("\n") + 1:  # pragma: no cover - defensive
        keys = [_DIGITS.sub("0", _SPACE.sub("", unicodedata.normalize("NFC", line).casefold()))
                for line in text.split("\n")]
    return keys


def unit_hash(key: str) -> int:
    """A stable signed 64-bit hash of a unit key (the same in every process: Python's hash() is salted)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def units(text: str, min_chars: int) -> list[tuple[int, list[int]]]:
    """The countable units of `text`: (hash, indexes of the non-blank lines it covers), in order.

    Lines with a key of at least min_chars characters are units of their own; maximal runs of shorter non-blank
    lines (blank lines do not end a run) are one unit, kept only if their keys together reach min_chars.
    """
    keys = line_keys(text)
    out: list[tuple[int, list[int]]] = []
    run: list[int] = []
    run_chars = 0

    def close() -> None:
        if run and run_chars >= min_chars:
            out.append((unit_hash("\n".join(keys[i] for i in run)), list(run)))

    for i, key in enumerate(keys):
        if not key:
            continue
        if len(key) >= min_chars:
            close()
            run, run_chars = [], 0
            out.append((unit_hash(key), [i]))
        else:
            run.append(i)
            run_chars += len(key)
    close()
    return out


def unit_hashes(text: str, min_chars: int) -> list[int]:
    """The distinct unit hashes of `text`, in order of first occurrence (what a document contributes to the
    counts: a line repeated inside one document counts once)."""
    return list(dict.fromkeys(h for h, _ in units(text, min_chars)))


def remove_units(text: str, remove: Iterable[int], min_chars: int, examples: Iterable[int] = ()
                 ) -> tuple[str, int, list[tuple[int, str]]]:
    """`text` without the units whose hash is in `remove`: (new text, lines removed, [(hash, unit text)] for the
    units whose hash is in `examples`, each once).

    Unchanged text comes back as the same string. Where lines were removed, runs of blank lines left behind are
    collapsed to one blank line and blank lines at the start and end are dropped.
    """
    remove = set(remove)
    examples = set(examples)
    if not remove and not examples:
        return text, 0, []
    lines = text.split("\n")
    drop: set[int] = set()
    shown: list[tuple[int, str]] = []
    for h, covered in units(text, min_chars):
        if h in examples:
            examples.discard(h)
            shown.append((h, "\n".join(lines[i] for i in covered)))
        if h in remove:
            drop.update(covered)
    if not drop:
        return text, 0, shown
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    kept = _BLANK_RUNS.sub("\n\n", kept).strip("\n")
    return kept, len(drop), shown
