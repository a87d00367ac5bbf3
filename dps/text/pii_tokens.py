"""Neutralize the pipeline's special tokens, and their look-alikes, in input text before tag_pii inserts its own.

A look-alike is any text that some later step can turn into a token: Unicode normalization (NFC, NFKC, NFKD:
fullwidth ＜｜, small forms ﹤, mathematical letters 𝐭, ≮ = < + a combining mark), HTML unescaping (&lt;, &#60;,
&#x3c;, &#65308;, also escaped twice: &amp;lt;), removal of invisible characters (ZWSP, ZWJ, soft hyphen,
variation selectors, bidi and other format controls, control characters, combining marks) and of HTML tags
(<b></b>). The matcher reads the text through all of these at once, so any combination is caught.

A match is replaced by the token written with "twins": characters that look like the template's punctuation
but have no compatibility decomposition and no entity, so no normalization or unescaping turns them back
(<|tel_start|> -> ‹¦tel_start¦›).
"""

from __future__ import annotations

import functools
import itertools
import html
import html.entities
import re
import unicodedata
from typing import NamedTuple

# Twin of each ASCII punctuation character a template may use. Each has no decomposition, is not ASCII and is not
# an HTML entity's target other than by its own number, so it folds to nothing but itself (tested).
TWINS = {
    "<": "\u2039", ">": "\u203a", "|": "\u00a6", "[": "\u2045", "]": "\u2046", "{": "\u2774", "}": "\u2775",
    "(": "\u2768", ")": "\u2769", "/": "\u2044", "\\": "\u29f5", "#": "\u266f", ":": "\u2236", "!": "\u01c3",
    "~": "\u223c", "*": "\u2217", "=": "\ua78a", "+": "\u2214", "^": "\u02c4", "%": "\u066a", "-": "\u2010",
}

# Invisible characters a later step may drop (Unicode default-ignorables that are letters: the Hangul fillers).
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_ENTITY = re.compile(
    r"&(?:amp;?|#0*38;?|#[xX]0*26;?){0,3}(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,7};?|[A-Za-z][A-Za-z0-9]{1,31};?)"
)
_TAG = re.compile(r"<[A-Za-z/!?][^<>]{0,80}>")
_INVISIBLE = ("Mn", "Me", "Cf", "Cc")
_MAX_JUNK = 16  # invisible units skipped inside one look-alike


# An ampersand, escaped up to three times over (&amp;amp;#60; reads as < after three unescapes).
_AMPS = r"&(?:amp;?|\#0*38;?|\#[xX]0*26;?){0,3}"


@functools.lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """What ch can become after normalization and removal of invisible characters: '' for those, else its
    compatibility decomposition without combining marks (＜ -> <, 𝐭 -> t, ≮ -> <, ⒯ -> (t))."""
    if ch < "\x7f":
        return "" if ch < " " and ch not in "\t\n\r" else ch
    if ch in _FILLERS or unicodedata.category(ch) in _INVISIBLE:
        return ""
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if unicodedata.category(c) not in _INVISIBLE)


@functools.lru_cache(maxsize=4096)
def _entity_unit(entity: str) -> str:
    """What an entity folds to: &lt; -> '<', &#65308; -> '<', &amp;lt; -> '<', &shy; -> ''."""
    return "".join(map(fold_char, _unescape(entity)))


def _unescape(entity: str) -> str:
    for _ in range(4):  # &amp;amp;lt; needs three rounds
        decoded = html.unescape(entity)
        if decoded == entity:
            break
        entity = decoded
    return entity


@functools.lru_cache(maxsize=1)
def _lookalike_table() -> dict[str, frozenset[str]]:
    """ASCII character -> every character that folds to exactly it (itself included). ~20 ms, once a process."""
    table: dict[str, set[str]] = {}
    for cp in range(0x80, 0x30000):
        ch = chr(cp)
        if unicodedata.decomposition(ch):
            folded = fold_char(ch)
            if len(folded) == 1 and folded < "\x7f":
                table.setdefault(folded, set()).add(ch)
    return {k: frozenset(v) for k, v in table.items()}


@functools.lru_cache(maxsize=1)
def _gap() -> str:
    """Between two characters of a look-alike, for the cheap first pass: an invisible character, a tag or an
    entity of an invisible character (any numeric one). A superset of what the exact pass skips, so the first
    pass never drops a real candidate; ~25 ms to build, once a process."""
    ranges: list[list[int]] = []
    for cp in itertools.chain(range(0x30000), range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(cp)) in _INVISIBLE or chr(cp) in _FILLERS:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    chars = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)
    names = sorted((n for n, v in html.entities.html5.items() if not "".join(map(fold_char, v))), key=len, reverse=True)
    entity = _AMPS + rf"(?:\#[0-9]{{1,8}};?|\#[xX][0-9a-fA-F]{{1,7}};?|{'|'.join(names)})"
    return rf"(?:[{chars}]|<[A-Za-z/!?][^<>]{{0,80}}>|{entity})"


def _step(chars: set[str]) -> str:
    """A regex for one character of a look-alike: one of chars, a look-alike of one, or an entity of either."""
    table = _lookalike_table()
    members = set(chars)
    for c in chars:
        members |= table.get(c, frozenset())
    names = sorted((n for n, v in html.entities.html5.items() if len(v) == 1 and fold_char(v) in chars),
                   key=len, reverse=True)
    decimal = "|".join(str(ord(c)) for c in sorted(members))
    hexa = "|".join(f"{ord(c):x}" for c in sorted(members))
    entity = _AMPS + rf"(?:{'|'.join(map(re.escape, names))}|\#0*(?:{decimal});?|\#[xX]0*(?i:{hexa});?)"
    return "(?:[" + "".join(re.escape(c) for c in sorted(members)) + "]|" + entity + ")"


class Neutralizer(NamedTuple):
    tokens: dict[str, str]  # token -> its neutral form
    prefixes: frozenset[str]
    first: re.Pattern  # cheap pass: where a look-alike can start
    leads: str  # cheaper still: every character a look-alike can start with
    lead: re.Pattern | None  # a class of leads when they are many; else 'in' tests, at memchr speed, are cheaper

    def __call__(self, text: str) -> str:
        if self.lead is None:
            if not any(c in text for c in self.leads):
                return text
        elif self.lead.search(text) is None:
            return text
        if self.first.search(text) is None:
            return text
        out, pos, n = [], 0, len(text)
        for m in self.first.finditer(text):
            i = m.start()
            if i < pos:
                continue
            end = self._match(text, i, n)
            if end is not None:
                out.append(text[pos:i])
                out.append(end[1])
                pos = end[0]
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)

    def _match(self, text: str, i: int, n: int) -> tuple[int, str] | None:
        """The longest look-alike token starting at i: (its end, its neutral form), or None."""
        folded, j, junk, best = "", i, 0, None
        while j < n and junk <= _MAX_JUNK:
            ch = text[j]
            if ch == "&" and (m := _ENTITY.match(text, j)):
                unit, nxt = _entity_unit(m.group()), m.end()
            elif ch == "<" and folded and (m := _TAG.match(text, j)):
                unit, nxt = "", m.end()
            else:
                unit, nxt = fold_char(ch), j + 1
            j = nxt
            if not unit:
                if not folded:
                    return None
                junk += 1
                continue
            folded += unit
            if folded not in self.prefixes:
                break
            if folded in self.tokens:
                best = (j, self.tokens[folded])
        return best


def twin_form(token: str) -> str:
    return "".join(TWINS.get(c, c) for c in token)


@functools.lru_cache(maxsize=64)
def neutralizer(tokens: tuple[str, ...]) -> Neutralizer:
    """The neutralizer for these tokens (each must contain at least one character of TWINS)."""
    prefixes = frozenset(t[:k] for t in tokens for k in range(1, len(t) + 1))
    # The first three characters of some token (each an ASCII character, a look-alike or an entity), with gaps.
    gap = f"{_gap()}{{0,{_MAX_JUNK}}}"
    steps = [_step({t[k] for t in tokens if len(t) > k}) for k in range(3)]
    first = re.compile(f"(?={gap.join(steps)})")
    table = _lookalike_table()
    leads = {t[0] for t in tokens}
    leads |= {c for lead in leads for c in table.get(lead, ())} | {"&"}
    chars = "".join(sorted(leads))  # "&<≮﹤＜" for the default templates
    lead = re.compile("[" + re.escape(chars) + "]") if len(chars) > 8 else None
    return Neutralizer({t: twin_form(t) for t in tokens}, prefixes, first, chars, lead)
