"""Ad, gambling, adult and loan spam: a weighted lexicon with a density threshold."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dps.text.data_files import read_data_yaml
from dps.text.profiling import Metric, Rule
from dps.text.spam_dodge import SEPARATORS, dodge_view, dodge_view_map, needs_full_view

_SHIPPED_FILE = "spam_lexicon.yaml"
_CATEGORY_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_MODES = ("extend", "replace")
_WS = object()  # trie token for "any whitespace, possibly none"
_END = ""  # trie key marking the end of a term


@dataclass(frozen=True)
class _Lexicon:
    categories: tuple[str, ...]
    regex: re.Pattern | None  # None when the lexicon has no terms
    terms: dict[str, tuple[str, float, bool]]  # key (no spaces, lowercase) -> (category, weight, word start)
    abbreviations: dict[str, str]  # jamo abbreviation -> the word it stands for, in the matching view (ㅌㅌ -> 토토)
    # The terms with up to three separators allowed between any two characters: finds, in one scan as fast as
    # `regex`'s, every place where the matching view may hold a term; each such place is checked in the view.
    tolerant: re.Pattern | None = None


def _read_yaml(path: str | None) -> tuple[str, dict]:
    source, data = read_data_yaml(_SHIPPED_FILE, path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ValueError(f"{source}: expected a mapping with a 'categories' mapping")
    return source, data


def _trie_regex(terms: list[str], tolerant: bool = False) -> str:
    """One regex for all terms, factored by shared prefixes.

    Python's re tries alternatives one by one; a flat alternation of a few hundred words runs at ~5 MB/s,
    the prefix trie at >100 MB/s because each position is rejected after one character. `tolerant`: up to
    three separators (spam_dodge.SEPARATORS) between any two characters of a term, any run of them or of
    whitespace where the term has a space.
    """
    gap = f"[{SEPARATORS}]{{0,3}}" if tolerant else ""
    space = f"[\\s{SEPARATORS}]*" if tolerant else r"\s*"
    root: dict = {}
    for term in terms:
        node = root
        for token in re.findall(r"\s+|.", term):
            node = node.setdefault(_WS if token.isspace() else token, {})
        node[_END] = {}

    def build(node: dict, first: bool = False) -> str:
        branches = [
            (space if key is _WS else ("" if first else gap) + re.escape(key)) + build(child)
            for key, child in sorted(node.items(), key=lambda kv: "" if kv[0] is _WS else kv[0])
            if key != _END
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if _END in node else body  # greedy: prefer the longer term

    return build(root, first=True)


def _key(matched: str) -> str:
    return "".join(matched.split()).lower()


@functools.lru_cache(maxsize=8)
def _load(lexicon_path: str | None, lexicon_mode: str) -> _Lexicon:
    if lexicon_mode not in _MODES:
        raise ValueError(f"lexicon_mode must be one of {_MODES}, not {lexicon_mode!r}")
    layers = []
    if lexicon_path is None or lexicon_mode == "extend":
        layers.append(_read_yaml(None))
    if lexicon_path is not None:
        layers.append(_read_yaml(lexicon_path))
    categories: list[str] = []
    terms: dict[str, tuple[str, float, bool]] = {}
    spellings: dict[str, str] = {}  # key -> pattern spelling (with spaces), for the regex
    abbreviations: dict[str, str] = {}
    for source, data in layers:
        abbreviations.update(_abbreviations(source, data))
        for category, spec in data["categories"].items():
            if not isinstance(category, str) or not _CATEGORY_NAME.match(category):
                raise ValueError(f"{source}: category {category!r} must be snake_case")
            weighted = (spec or {}).get("terms") or {}
            if not isinstance(weighted, dict):
                raise ValueError(f"{source}: category {category!r}: terms must map a weight to a list of terms")
            if category not in categories:
                categories.append(category)
            for weight, words in weighted.items():
                if not isinstance(weight, (int, float)) or weight <= 0 or not isinstance(words, list):
                    raise ValueError(f"{source}: category {category!r}: weight {weight!r} needs a list of terms")
                for word in words:
                    word = str(word).strip()
                    word_start = word.startswith("^")
                    spelling = " ".join(word.lstrip("^").split()).lower()
                    if not spelling:
                        raise ValueError(f"{source}: category {category!r}: empty term")
                    key = _key(spelling)
                    terms[key] = (category, float(weight), word_start)  # later layers re-weigh
                    spellings[key] = spelling
    if not terms:
        return _Lexicon(tuple(categories), None, {}, abbreviations)
    pattern = _trie_regex(sorted(set(spellings.values())))
    # IGNORECASE slows the scan; needed only when some term has Latin letters.
    flags = re.IGNORECASE if any(c.isascii() and c.isalpha() for c in "".join(spellings.values())) else 0
    tolerant = re.compile(_trie_regex(sorted(set(spellings.values())), tolerant=True), flags)
    return _Lexicon(tuple(categories), re.compile(pattern, flags), terms, abbreviations, tolerant)


_JAMO_WORD = re.compile("[\u3131-\u314e]+\\Z")


def _abbreviations(source: str, data: dict) -> dict[str, str]:
    """The file's `abbreviations` mapping: a run of initial consonants -> the word it abbreviates."""
    found = data.get("abbreviations") or {}
    if not isinstance(found, dict):
        raise ValueError(f"{source}: abbreviations must map a jamo abbreviation to a word")
    out = {}
    for short, word in found.items():
        if not isinstance(short, str) or not _JAMO_WORD.match(short) or not isinstance(word, str) or not word.strip():
            raise ValueError(f"{source}: abbreviation {short!r}: {word!r}: expected consonant jamo (ㅌㅌ) -> a word")
        out[short] = word.strip()
    return out


@functools.lru_cache(maxsize=32)
def _enabled(categories: tuple[str, ...] | None, lexicon_path: str | None, lexicon_mode: str) -> frozenset[str]:
    lexicon = _load(lexicon_path, lexicon_mode)
    if categories is None:
        return frozenset(lexicon.categories)
    unknown = [c for c in categories if c not in lexicon.categories]
    if unknown:
        raise ValueError(f"unknown spam categories {unknown}; known: {list(lexicon.categories)}")
    return frozenset(categories)


def spam_scores(
    text: str,
    *,
    max_term_repeats: int = 5,
    categories: list[str] | None = None,
    lexicon_path: str | None = None,
    lexicon_mode: str = "extend",
    normalize_dodges: bool = True,
) -> dict[str, float]:
    """Summed term weights per enabled category (zeros included), in lexicon order; see spam_filter."""
    lexicon = _load(lexicon_path, lexicon_mode)
    enabled = _enabled(None if categories is None else tuple(categories), lexicon_path, lexicon_mode)
    scores = {c: 0.0 for c in lexicon.categories if c in enabled}
    cap = max_term_repeats * max(1, len(text) // 1000)  # per 1,000 characters, like the density
    seen: dict[str, int] = {}
    for key, _, _, category, weight in _found(text, lexicon, enabled, normalize_dodges):
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= cap:
            scores[category] += weight
    return scores


def _matches(text: str, lexicon, enabled):
    """(term key, match, category, weight) of every lexicon term found in `text` (the matching view, see
    spam_dodge) in an enabled category (a word-start term only at the start of a word)."""
    if lexicon.regex is None or not text:
        return
    for m in lexicon.regex.finditer(text):
        key = _key(m.group())
        category, weight, word_start = lexicon.terms[key]
        if category not in enabled or (word_start and m.start() > 0 and text[m.start() - 1].isalnum()):
            continue
        yield key, m, category, weight


def _found(text: str, lexicon, enabled, normalize_dodges: bool, spans: bool = False):
    """(term key, start, end, category, weight) of every lexicon term in the text (normalize_dodges: in its
    matching view), start and end in the text as written (without `spans`, where the whole view was built: in
    the view).

    The view is built whole only for a text with jamo or invisible characters. Otherwise only spam_dodge's step 3
    (joining single syllables) can change it, and that is local: the separator-tolerant pattern finds every
    place a term may be (in one scan), and a place whose match is not a term as written is checked in the view
    of the match and one character on each side (all that decides whether its syllables are joined)."""
    if lexicon.regex is None or not text:
        return
    if not normalize_dodges:
        for key, m, category, weight in _matches(text, lexicon, enabled):
            yield key, m.start(), m.end(), category, weight
        return
    if needs_full_view(text, lexicon.abbreviations):
        if not spans:  # the scores need no positions: the view without its map (a list per character)
            for key, m, category, weight in _matches(dodge_view(text, lexicon.abbreviations), lexicon, enabled):
                yield key, m.start(), m.end(), category, weight
            return
        view, where = dodge_view_map(text, lexicon.abbreviations)
        for key, m, category, weight in _matches(view, lexicon, enabled):
            yield key, *where(m.start(), m.end()), category, weight
        return
    for m in lexicon.tolerant.finditer(text):
        start = m.start()
        if lexicon.regex.fullmatch(m.group()):  # a term as written
            key, before = _key(m.group()), text[start - 1] if start else ""
        else:  # separators inside: is it a term in the view? (the view of the match and the characters that
            # decide whether its first syllable joins the one before: up to three separators, that syllable and
            # its left neighbour; and the last syllable's right neighbour)
            a = max(start - 5, 0)
            view, where = dodge_view_map(text[a:m.end() + 1])
            found = next((f for f in lexicon.regex.finditer(view) if where(f.start(), f.end())[0] >= start - a),
                         None)
            if found is None or where(found.start(), found.end())[0] != start - a:
                continue
            key, before = _key(found.group()), view[found.start() - 1] if found.start() else text[a - 1:a]
        category, weight, word_start = lexicon.terms[key]
        if category not in enabled or (word_start and before.isalnum()):
            continue
        yield key, start, m.end(), category, weight


# At most this many distinct matched terms are listed as a rejected document's evidence.
EVIDENCE_TERMS = 10


def spam_evidence(
    text: str,
    *,
    max_term_repeats: int = 5,
    categories: list[str] | None = None,
    lexicon_path: str | None = None,
    lexicon_mode: str = "extend",
    normalize_dodges: bool = True,
    **_thresholds,
) -> dict:
    """For dps_detail: the lexicon terms matched (as written in the text, first occurrences, at most EVIDENCE_TERMS)
    and the weight per category."""
    lexicon = _load(lexicon_path, lexicon_mode)
    enabled = _enabled(None if categories is None else tuple(categories), lexicon_path, lexicon_mode)
    terms: dict[str, str] = {}
    for key, start, end, _, _ in _found(text, lexicon, enabled, normalize_dodges, spans=True):
        # As written in the text: a dodged spelling (안.전.놀.이.터) is shown as it was.
        terms.setdefault(key, text[start:end])
        if len(terms) >= EVIDENCE_TERMS:
            break
    weights = spam_scores(text, max_term_repeats=max_term_repeats, categories=categories, lexicon_path=lexicon_path,
                          lexicon_mode=lexicon_mode, normalize_dodges=normalize_dodges)
    return {"matched": list(terms.values()), "weights": {c: round(w, 2) for c, w in weights.items() if w}}


def spam_profile(
    text: str,
    *,
    max_term_repeats: int = 5,
    categories: list[str] | None = None,
    lexicon_path: str | None = None,
    lexicon_mode: str = "extend",
    normalize_dodges: bool = True,
    **_thresholds,
) -> dict[str, float]:
    """The metrics `dps profile` shows for a spam_filter stage: summed term weight and weight per 1,000 chars."""
    total = sum(spam_scores(text, max_term_repeats=max_term_repeats, categories=categories,
                            lexicon_path=lexicon_path, lexicon_mode=lexicon_mode,
                            normalize_dodges=normalize_dodges).values())
    return {"spam_weight": total, "spam_density": total * 1000.0 / len(text) if text else 0.0}


# The filter needs both thresholds at once: each rule is the whole test, drawn on its own metric.
def _dense_enough(metrics, params) -> bool:
    return metrics["spam_weight"] > 0 and metrics["spam_density"] >= params["min_spam_density"]


def _heavy_enough(metrics, params) -> bool:
    return metrics["spam_weight"] > 0 and metrics["spam_weight"] >= params["min_spam_weight"]


PROFILE_METRICS: tuple[Metric, ...] = (
    Metric("spam_weight", "positive", (Rule("min_spam_weight", "at_or_above", "spam_*", when=_dense_enough,
                                         when_text="and spam_density >= min_spam_density"),),
           "summed weight of spam lexicon terms"),
    Metric("spam_density", "positive", (Rule("min_spam_density", "at_or_above", "spam_*", when=_heavy_enough,
                                          when_text="and spam_weight >= min_spam_weight"),),
           "spam term weight per 1,000 characters"),
)


def spam_filter(
    text: str,
    *,
    min_spam_density: float = 25.0,
    min_spam_weight: float = 9.0,
    max_term_repeats: int = 5,
    categories: list[str] | None = None,
    lexicon_path: str | None = None,
    lexicon_mode: str = "extend",
    normalize_dodges: bool = True,
) -> str | None:
    """Reject documents dominated by gambling, adult, loan or ad spam vocabulary.

    Every occurrence of a lexicon term (dps/data/spam_lexicon.yaml) adds its weight: 3 for trade jargon
    that practically only spam uses (안전놀이터, 출장안마, 무직자대출, 상위노출), 1 for plain words that
    count only in bulk (카지노, 대출). A document is rejected when the summed weight over the enabled
    categories is at least min_spam_weight AND the weight per 1,000 characters is at least
    min_spam_density. The density test keeps long articles that mention a topic (a news story on loan
    rates says 대출 a few times and passes); the absolute floor keeps a one-line comment with one term.
    The reason names the category with the largest weight (ties go to the one listed first). Each term
    counts at most max_term_repeats times per 1,000 characters, so an article that keeps saying 대출 or
    카지노 stays an article; spam pages score through the variety of their jargon.

    Plain topic words (도박, 성매매, 광고) are deliberately absent: news reports on those subjects use them,
    spam avoids them. Terms match inside longer words unless written with a leading ^; a space in a term
    matches any whitespace or none, so spacing tricks (무직자 대출 / 무직자대출) do not escape it.

    Spellings written to dodge word lists are read through a matching view (dps/text/spam_dodge.py), never
    written back: syllables spaced or dotted apart (안.전.놀.이.터, 사 이 트, 꽁★머★니), compatibility-jamo
    spellings (ㅅㅏㅇㅣㅌㅡ), the lexicon's jamo abbreviations (ㅌㅌ for 토토) and invisible characters inside
    a word. Measured by scripts/bench_spam_dodge.py: see docs/cleaners.md.

    Parameters:
        min_spam_density: minimum summed term weight per 1,000 characters for a document to be rejected.
        min_spam_weight: minimum summed term weight for a document to be rejected, whatever its length.
        max_term_repeats: occurrences of one term beyond this many per 1,000 characters (at least this many
            in a shorter text) add nothing.
        categories: lexicon categories to use (gambling, adult, loan, ad, or user-defined); None uses all.
        lexicon_path: a YAML lexicon in the shipped file's format; None uses only the shipped lexicon.
        lexicon_mode: "extend" adds the user lexicon to the shipped one (re-weighing repeated terms);
            "replace" uses the user lexicon alone.
        normalize_dodges: match the lexicon in the dodge-normalized view of the text (spaced or dotted
            syllables, jamo spellings, abbreviations); False matches the text as written.
    Reasons:
        spam_gambling: gambling vocabulary dominates (betting/casino sites, recruiting codes).
        spam_adult: adult vocabulary dominates (prostitution ads, pornography, sex-enhancement sales).
        spam_loan: loan vocabulary dominates (predatory lending, card or micro-payment cashing).
        spam_ad: generic commercial spam dominates (contact-me calls, paid marketing, guaranteed profits).
    """
    scores = spam_scores(
        text,
        max_term_repeats=max_term_repeats,
        categories=categories,
        lexicon_path=lexicon_path,
        lexicon_mode=lexicon_mode,
        normalize_dodges=normalize_dodges,
    )
    total = sum(scores.values())
    if total <= 0 or total < min_spam_weight or total * 1000.0 / len(text) < min_spam_density:
        return None
    category = max(scores, key=scores.__getitem__)  # first listed wins a tie
    return f"spam_{category}"
