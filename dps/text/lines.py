"""Line units and their hashes for line_dedup (pure text logic: no Spark).

A document is split on "\\n" into lines. Each line gets a key: NFC, case-folded, invisible format characters
(zero-width spaces, BOM) and all whitespace removed, every number (a digit run with the separators inside it:
1,234  2026.12.07  09:31) turned into one "0", so dates, view counts and page numbers do not make a site's footer
unique. A line whose key has at least `min_chars` characters is a unit of its own. Shorter lines are never counted
on their own: within a maximal run of consecutive short lines (a blank line or a long line ends it) each line
starts a window of it and the following short lines until their keys reach `min_chars` together, and the windows
are the units; a run too short for any window goes with the lines it touches when they are removed. So a menu
written one item per line ("홈", "뉴스", "로그인", "회원가입") repeats window by window across a site's pages
even when a breadcrumb or a date beside it changes, while a short greeting ("안녕하세요.") glued to a kept
paragraph is never a unit and always stays.

Every function here is linear in the text: one normalization pass, one split, one hash per unit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

# Whitespace other than the newline (which separates lines: every character str.isspace() accepts, as the regex
# class \s does), and invisible format characters. Written out: a negated class ([^\S\n]) is 3x slower, and
# removing the plain spaces first with str.replace halves the rest (tests/text/test_lines.py checks the set).
_WHITESPACE = ("\t\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
               "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
_SPACE = re.compile("[" + re.escape(_WHITESPACE + _INVISIBLE) + "]+")
# A number with its separators (1,234  2026.12.07  09:31  02-123-4567) is one "0".
_DIGITS = re.compile(r"\d+(?:[.,:/-]\d+)*")
_BLANK_RUNS = re.compile(r"\n{3,}")


def line_keys(text: str) -> list[str]:
    """One normalized key per line of `text` (split on "\\n"): NFC, case-folded, whitespace and invisible
    characters removed, numbers -> "0"."""
    norm = _DIGITS.sub("0", _SPACE.sub("", unicodedata.normalize("NFC", text).casefold().replace(" ", "")))
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

    A line with a key of at least min_chars characters is a unit of its own. Within a maximal run of shorter
    lines (a blank line or a long line ends it), every line starts a window: it and the lines after it in the
    run until their keys together reach min_chars; a window that cannot reach it (at the end of the run) is no
    unit. So one short line is never counted on its own, a menu of short items repeats window by window even when
    the lines around it (a breadcrumb, a date) change from page to page, and a short line alone between two long
    ones is never a unit. Each window covers at most min_chars lines: linear in the text.
    """
    return _layout(text, min_chars)[0]


def _layout(text: str, min_chars: int) -> tuple[list[tuple[int, list[int]]], list[tuple[list[int], tuple]]]:
    """(units, short runs): the units as `units` describes them, and every run of short lines too short for any
    window, with its sides: per side the neighbouring non-blank line (None at the start or end of the text) and
    whether it touches the run (no blank line between)."""
    keys = line_keys(text)
    out: list[tuple[int, list[int]]] = []
    orphans: list[list[int]] = []
    run: list[int] = []

    def close() -> None:
        end, chars = 0, 0  # window [start, end) and its characters
        for start in range(len(run)):
            while end < len(run) and chars < min_chars:
                chars += len(keys[run[end]])
                end += 1
            if chars < min_chars:
                if start == 0:  # the whole run is too short: it goes with its neighbours (see remove_units)
                    orphans.append(list(run))
                break
            covered = run[start:end]
            out.append((unit_hash("\n".join(keys[i] for i in covered)), covered))
            chars -= len(keys[run[start]])
        run.clear()

    blake2b, from_bytes = hashlib.blake2b, int.from_bytes  # unit_hash, inlined: one call per line costs
    for i, key in enumerate(keys):
        size = len(key)
        if size >= min_chars:
            if run:
                close()
            out.append((from_bytes(blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True), [i]))
        elif size:
            run.append(i)
        elif run:
            close()
    if run:
        close()
    short = []
    if orphans:
        nonblank = [i for i, key in enumerate(keys) if key]
        where = {i: k for k, i in enumerate(nonblank)}
        for lines in orphans:
            first, last = where[lines[0]], where[lines[-1]]
            prev = nonblank[first - 1] if first > 0 else None
            after = nonblank[last + 1] if last + 1 < len(nonblank) else None
            short.append((lines, ((prev, prev == lines[0] - 1), (after, after == lines[-1] + 1))))
    return out, short


def unit_hashes(text: str, min_chars: int) -> list[int]:
    """The distinct unit hashes of `text`, in order of first occurrence (what a document contributes to the
    counts: a line repeated inside one document counts once)."""
    return list(dict.fromkeys(h for h, _ in units(text, min_chars)))


def remove_units(text: str, remove: Iterable[int], min_chars: int, examples: Iterable[int] = ()
                 ) -> tuple[str, int, list[tuple[int, str]]]:
    """`text` without the units whose hash is in `remove`: (new text, lines removed, [(hash, unit text)] for the
    units whose hash is in `examples`, each once; overlapping windows of one run make one example, under the
    first window's hash).

    A run of short lines too short to be counted (a list heading such as "관련 기사", a lone "로그인", "댓글 0")
    goes with the long lines it touches (no blank line between): it is removed when every line it touches is
    removed, so a heading glued to a removed list goes with it while a greeting glued to a kept paragraph stays.
    A run touching nothing (blank lines on both sides) is removed when both neighbouring lines are removed (the
    start and end of the text count as removed, but not both). Unchanged text comes back as the same string.
    Where lines were removed, runs of blank lines left behind are collapsed to one blank line and blank lines
    at the start and end are dropped.
    """
    remove = set(remove)
    examples = set(examples)
    if not remove and not examples:
        return text, 0, []
    lines = text.split("\n")
    found, short = _layout(text, min_chars)
    drop: set[int] = set()
    shown_lines: list[tuple[int, list[int]]] = []
    for h, covered in found:
        if h in examples:
            examples.discard(h)
            if shown_lines and covered[0] <= shown_lines[-1][1][-1]:  # overlapping windows of one run: one example
                last = shown_lines[-1][1][-1]
                shown_lines[-1][1].extend(i for i in covered if i > last)
            else:
                shown_lines.append((h, list(covered)))
        if h in remove:
            drop.update(covered)
    shown = [(h, "\n".join(lines[i] for i in covered)) for h, covered in shown_lines]
    if not drop:
        return text, 0, shown
    for run, sides in short:  # in order: a run decided here counts as removed for the runs after it
        touching = [line for line, touches in sides if touches] or [line for line, _ in sides]
        if all(line is None or line in drop for line in touching) and any(line is not None for line in touching):
            drop.update(run)
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    kept = _BLANK_RUNS.sub("\n\n", kept).strip("\n")
    return kept, len(drop), shown
