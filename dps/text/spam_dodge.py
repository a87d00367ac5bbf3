"""The matching view spam_filter reads: spellings written to dodge word lists brought back to plain Hangul.

Spam comments break their jargon so a word list misses it: syllables spaced or dotted apart (`안.전.놀.이.터`,
`사 이 트`, `안-전`, `꽁★머★니`), words spelled in compatibility jamo (`ㅅㅏㅇㅣㅌㅡ`), initial-consonant
abbreviations (`ㅌㅌ` for 토토), invisible characters inside a word. `dodge_view(text)` builds a second
spelling of the text in which

1. invisible characters (zero-width spaces and joiners, word joiner, BOM, soft hyphen) are removed;
2. a run of compatibility jamo that is a listed abbreviation (the lexicon's `abbreviations`, e.g. ㅌㅌ -> 토토)
   becomes its word; any other run is composed into syllables where a consonant is followed by a vowel
   (ㅅㅏㅇㅣㅌㅡ -> 사이트, the way a Korean keyboard composes); runs without a vowel (ㅋㅋ, ㅎㅎ, ㅇㅇ) and
   vowel runs (ㅠㅠ) stay as they are;
3. the separators inside a run of single Hangul syllables are removed (`안.전.놀.이.터` -> 안전놀이터,
   `사 이 트` -> 사이트): each syllable of the run stands alone (no letter or digit touches it but the
   separators), separators are at most three characters of spaces, dots, dashes, underscores, middle dots,
   slashes, bars, stars, hearts and the like, never a line break.

The view is only read, never written: the document keeps its spelling. Step 3 also joins ordinary text (`그 때
나 는` -> 그때나는, `한·미·일` -> 한미일); that creates a lexicon term only where the term's syllables stand
apart in the same order, which the measured samples never show (docs/cleaners.md, scripts/bench_spam_dodge.py).
`dodge_view_map` also returns, per view character, the span of the original text it came from, so a match in
the view is reported as written. spam.py builds the whole view only when `needs_full_view` (steps 1-2 change
the text); otherwise it finds candidate places with a separator-tolerant trie and checks each in the view of
a few characters around it (step 3 is local).

Every step is one left-to-right regex scan (each match bounded or possessive) and a join: linear time.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

__all__ = ["dodge_view", "dodge_view_map", "compose_jamo", "needs_full_view", "SEPARATORS"]

# Invisible characters dropped first (a word split by U+200B reads as one word on screen).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060\ufeff]+")
_INVISIBLES = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"

# Compatibility jamo (U+3131-U+3163): what a keyboard types when it does not compose syllables.
_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNGSEONG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONGSEONG = "\0ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
_L = {c: i for i, c in enumerate(_CHOSEONG)}
_V = {c: i for i, c in enumerate(_JUNGSEONG)}
_T = {c: i for i, c in enumerate(_JONGSEONG) if i}
_COMPOUND_V = {("ㅗ", "ㅏ"): "ㅘ", ("ㅗ", "ㅐ"): "ㅙ", ("ㅗ", "ㅣ"): "ㅚ", ("ㅜ", "ㅓ"): "ㅝ", ("ㅜ", "ㅔ"): "ㅞ",
               ("ㅜ", "ㅣ"): "ㅟ", ("ㅡ", "ㅣ"): "ㅢ"}
_JAMO_RUN = re.compile("[\u3131-\u3163]+")
_HAS_JAMO = re.compile("[\u3131-\u3163]")

# A run of single syllables with separators between them. The first syllable has no letter or digit before
# it; every later one none after it, so a syllable glued to a word (안 전놀이터: 전놀이터) ends the run.
# ([^\W_] is a letter or digit: \w without the underscore, which is a separator here.)
SEPARATORS = _SEPARATORS = " \t\u00a0\u2000-\u200a\u202f\u205f\u3000.\\-_·ㆍ•‧∙*~/|+^'\"`★☆♡♥❤◆◇●○"
_SINGLE_RUN = re.compile(rf"(?<![^\W_])[가-힣](?:[{_SEPARATORS}]{{1,3}}[가-힣](?![^\W_]))+")

# A piece of the view: its text and, per character, the (start, end) of the original it came from (relative to
# the match), or None when the piece is the match's text unchanged.
Spans = list[tuple[int, int]]


def compose_jamo(run: str) -> tuple[str, Spans]:
    """Compose a run of compatibility jamo into syllables where a consonant is followed by a vowel (a keyboard's
    rule: a consonant before a vowel starts the next syllable, otherwise it closes the current one). Returns the
    text and, per output character, the span of the run it came from."""
    out: list[str] = []
    spans: Spans = []
    i, n = 0, len(run)
    while i < n:
        c = run[i]
        if c in _L and i + 1 < n and run[i + 1] in _V:
            v, j = run[i + 1], i + 2
            if j < n and (v, run[j]) in _COMPOUND_V:
                v, j = _COMPOUND_V[v, run[j]], j + 1
            t = 0
            if j < n and run[j] in _T and not (j + 1 < n and run[j + 1] in _V):
                t, j = _T[run[j]], j + 1
            out.append(chr(0xAC00 + (_L[c] * 21 + _V[v]) * 28 + t))
            spans.append((i, j))
            i = j
        else:
            out.append(c)
            spans.append((i, i + 1))
            i += 1
    return "".join(out), spans


def _jamo_piece(abbreviations: Mapping[str, str]) -> Callable[[str], tuple[str, Spans] | None]:
    def piece(run: str) -> tuple[str, Spans] | None:
        word = abbreviations.get(run)
        if word is not None:
            if len(word) == len(run):
                return word, [(k, k + 1) for k in range(len(run))]
            return word, [(0, len(run))] * len(word)
        if not any(c in _V for c in run) or not any(c in _L for c in run):
            return None
        composed, spans = compose_jamo(run)
        return (composed, spans) if composed != run else None
    return piece


def _single_piece(run: str) -> tuple[str, Spans] | None:
    spans = [(m.start(), m.start() + 1) for m in re.finditer("[가-힣]", run)]
    return "".join(run[a] for a, _ in spans), spans


def _rewrite(text: str, pattern: re.Pattern, piece, spans: Spans | None, want_spans: bool
             ) -> tuple[str, Spans | None]:
    """Replace each match of `pattern` by piece(match text) (None: unchanged). With want_spans, also the span of
    the ORIGINAL text behind each character of the result (`spans`: the same for `text`, None = identity)."""
    out: list[str] = []
    new_spans: Spans | None = [] if want_spans else None
    last = 0
    for m in pattern.finditer(text):
        found = piece(m.group())
        if found is None:
            continue
        replacement, rel = found
        a = m.start()
        out.append(text[last:a])
        out.append(replacement)
        if new_spans is not None:
            new_spans.extend(_through(spans, last, a))
            new_spans.extend(_join(spans, a + s, a + e) for s, e in rel)
        last = m.end()
    if not out:
        return text, spans
    out.append(text[last:])
    if new_spans is not None:
        new_spans.extend(_through(spans, last, len(text)))
    return "".join(out), new_spans


def _through(spans: Spans | None, a: int, b: int):
    """Original spans of text[a:b], kept as they are."""
    return spans[a:b] if spans is not None else [(k, k + 1) for k in range(a, b)]


def _join(spans: Spans | None, a: int, b: int) -> tuple[int, int]:
    """The original span of text[a:b] as one span."""
    return (spans[a][0], spans[b - 1][1]) if spans is not None else (a, b)


def _view(text: str, abbreviations: Mapping[str, str], want_spans: bool) -> tuple[str, Spans | None]:
    spans: Spans | None = None
    if any(c in text for c in _INVISIBLES):  # seven C scans; most texts have none
        text, spans = _rewrite(text, _INVISIBLE, lambda s: ("", []), spans, want_spans)
    if _HAS_JAMO.search(text):
        text, spans = _rewrite(text, _JAMO_RUN, _jamo_piece(abbreviations), spans, want_spans)
    text, spans = _rewrite(text, _SINGLE_RUN, _single_piece, spans, want_spans)
    return text, spans


def needs_full_view(text: str, abbreviations: Mapping[str, str] | None = None) -> bool:
    """True when steps 1-2 change `text` (invisible characters; a jamo run that is an abbreviation or composes:
    ㅋㅋ and ㅠㅠ do not). Otherwise only step 3 can, and a caller may find its matches with a separator-tolerant
    pattern and check them locally."""
    if any(c in text for c in _INVISIBLES):
        return True
    if _HAS_JAMO.search(text) is None:
        return False
    piece = _jamo_piece(abbreviations or {})
    return any(piece(m.group()) is not None for m in _JAMO_RUN.finditer(text))


def dodge_view(text: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """The matching view of `text` (see the module docstring); `text` itself when nothing was rewritten."""
    return _view(text, abbreviations or {}, False)[0]


def dodge_view_map(text: str, abbreviations: Mapping[str, str] | None = None) -> tuple[str, Callable]:
    """The matching view and a function (view start, view end) -> (original start, original end)."""
    view, spans = _view(text, abbreviations or {}, True)
    if spans is None:
        return view, lambda a, b: (a, b)
    return view, lambda a, b: (spans[a][0], spans[b - 1][1]) if b > a else (spans[a][0], spans[a][0])
