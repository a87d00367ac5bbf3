"""Korean news/blog boilerplate: bylines, sign-offs, copyright footers, photo credits, related-article tails.

The rules are regular expressions kept in dps/data/news_boilerplate.yaml (documented there) so users can
read and extend them; this module loads, expands and compiles them once per process and applies them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dps.text.data_files import read_data_yaml
from dps.text.twins import stats_twin

_SHIPPED_FILE = "news_boilerplate.yaml"
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_RULE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_MODES = ("extend", "replace")
_CUT_GROUP = re.compile(r"_cut\d+")  # a pattern's (?P<cut>...) renamed, so patterns can share one regex


class _Search:
    """A regex, the literal gate that must match before it runs, and the names of its cut groups."""

    __slots__ = ("gate", "regex", "cut_groups")

    def __init__(self, gate: re.Pattern | None, regex: re.Pattern):
        self.gate = gate
        self.regex = regex
        self.cut_groups = tuple(name for name in regex.groupindex if _CUT_GROUP.fullmatch(name))


@dataclass(frozen=True)
class _Rule:
    name: str
    description: str
    requires: tuple[str, ...]  # empty: always run
    gate: re.Pattern | None  # matches any `requires` literal; None: always run
    searches: tuple[_Search, ...]  # the rule's patterns joined in one regex, plus each self-gated pattern


def _gate(literals) -> re.Pattern | None:
    """One scan for a set of literals instead of one `in` test each."""
    literals = sorted(set(literals), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, literals))) if literals else None


def _read_yaml(path: str | None) -> tuple[str, dict]:
    source, data = read_data_yaml(_SHIPPED_FILE, path)
    if not isinstance(data, dict) or not set(data) <= {"definitions", "rules"}:
        raise ValueError(f"{source}: expected a mapping with keys 'definitions' and 'rules'")
    return source, data


def _pattern_entry(entry) -> tuple[str, tuple[str, ...]] | None:
    """A pattern and its own `requires` literals, from a string or a {pattern, requires} mapping."""
    if isinstance(entry, str):
        return (entry, ()) if entry else None
    if isinstance(entry, dict) and set(entry) <= {"pattern", "requires"} and isinstance(entry.get("pattern"), str):
        requires = entry.get("requires") or []
        if entry["pattern"] and isinstance(requires, list) and all(isinstance(r, str) and r for r in requires):
            return entry["pattern"], tuple(requires)
    return None


def _merge(layers: list[tuple[str, dict]]) -> tuple[dict[str, str], list[dict]]:
    """Fold pattern files in order: definitions override, same-name rules gain patterns."""
    definitions: dict[str, str] = {}
    rules: dict[str, dict] = {}
    for source, data in layers:
        for key, value in (data.get("definitions") or {}).items():
            if not isinstance(value, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", str(key)):
                raise ValueError(f"{source}: definition {key!r} must be an UPPER_CASE name mapped to a string")
            definitions[key] = value
        for raw in data.get("rules") or []:
            if not isinstance(raw, dict) or not set(raw) <= {"name", "description", "requires", "patterns"}:
                raise ValueError(f"{source}: each rule needs name, patterns and optionally description, requires")
            name = raw.get("name")
            patterns = raw.get("patterns") or []
            if not isinstance(name, str) or not _RULE_NAME.match(name):
                raise ValueError(f"{source}: rule name {name!r} must be snake_case")
            if not isinstance(patterns, list) or not all(_pattern_entry(p) for p in patterns):
                raise ValueError(
                    f"{source}: rule {name!r}: patterns must be a list of non-empty strings or of mappings "
                    "{pattern: string, requires: [strings]}"
                )
            requires = raw.get("requires")
            if requires is not None and not (isinstance(requires, list) and all(isinstance(r, str) for r in requires)):
                raise ValueError(f"{source}: rule {name!r}: requires must be a list of strings")
            rule = rules.setdefault(name, {"name": name, "description": "", "requires": [], "patterns": []})
            rule["description"] = raw.get("description") or rule["description"]
            rule["patterns"] = rule["patterns"] + [(source, *_pattern_entry(p)) for p in patterns]
            # Patterns added without `requires` must see every text, so the rule then always runs.
            if requires is None:
                rule["requires"] = None
            elif rule["requires"] is not None:
                rule["requires"] = rule["requires"] + requires
    return definitions, list(rules.values())


def _expand(pattern: str, definitions: dict[str, str], where: str) -> str:
    def repl(m: re.Match) -> str:
        if m.group(1) not in definitions:
            raise ValueError(f"{where}: unknown placeholder {{{m.group(1)}}}")
        return definitions[m.group(1)]

    return _PLACEHOLDER.sub(repl, pattern)


@functools.lru_cache(maxsize=8)
def _load(patterns_path: str | None, patterns_mode: str) -> tuple[_Rule, ...]:
    if patterns_mode not in _MODES:
        raise ValueError(f"patterns_mode must be one of {_MODES}, not {patterns_mode!r}")
    layers = []
    if patterns_path is None or patterns_mode == "extend":
        layers.append(_read_yaml(None))
    if patterns_path is not None:
        layers.append(_read_yaml(patterns_path))
    raw_definitions, raw_rules = _merge(layers)
    definitions: dict[str, str] = {}
    for key, value in raw_definitions.items():  # a definition may use the ones before it
        definitions[key] = _expand(value, definitions, f"definition {key}")
    compiled = []
    for rule in raw_rules:
        ungated: list[str] = []
        regexes = []
        for i, (source, pattern, pattern_requires) in enumerate(rule["patterns"]):
            where = f"{source}: rule {rule['name']!r}"
            expanded = _expand(pattern, definitions, where).replace("(?P<cut>", f"(?P<_cut{i}>")
            try:
                re.compile(expanded)
            except re.error as e:
                raise ValueError(f"{where}: bad pattern {pattern!r}: {e}") from None
            if pattern_requires:
                regexes.append(_Search(_gate(pattern_requires), re.compile(expanded, re.MULTILINE)))
            else:
                ungated.append(f"(?:{expanded})")
        if ungated:
            # One regex per rule: a call costs about a microsecond, as much as scanning a short document.
            regexes.insert(0, _Search(None, re.compile("|".join(ungated), re.MULTILINE)))
        if regexes:
            requires = tuple(rule["requires"] or ())
            description = " ".join(rule["description"].split())
            compiled.append(_Rule(rule["name"], description, requires, _gate(requires), tuple(regexes)))
    return tuple(compiled)


@functools.lru_cache(maxsize=32)
def _select(
    rules: tuple[str, ...] | None, patterns_path: str | None, patterns_mode: str
) -> tuple[tuple[_Rule, ...], re.Pattern | None]:
    """The selected rules and a gate for all of them: a text it does not match needs no rule at all."""
    loaded = _load(patterns_path, patterns_mode)
    if rules is not None:
        known = {r.name for r in loaded}
        unknown = [name for name in rules if name not in known]
        if unknown:
            raise ValueError(f"unknown boilerplate rule(s) {unknown}; known rules: {sorted(known)}")
        loaded = tuple(r for r in loaded if r.name in rules)
    if any(r.gate is None for r in loaded):
        return loaded, None
    return loaded, _gate(lit for r in loaded for lit in r.requires)


def news_boilerplate_rules(*, patterns_path: str | None = None, patterns_mode: str = "extend") -> dict[str, str]:
    """Rule name -> one-line description, in the order the rules run."""
    return {r.name: r.description for r in _load(patterns_path, patterns_mode)}


def _spans(text: str, searches: tuple[_Search, ...], max_span_chars: int) -> list[tuple[int, int]]:
    """Non-overlapping spans to cut: every match (or its cut group), earliest first, longest on a tie."""
    # Matching runs on "\n" + text so that a pattern may use \n for "line start" at the document start too.
    padded = "\n" + text
    found = []
    for search in searches:
        if search.gate is not None and search.gate.search(text) is None:
            continue
        for m in search.regex.finditer(padded):
            start, end = m.span()
            for name in search.cut_groups:
                if m.start(name) >= 0:
                    start, end = m.span(name)
                    break
            if end - start <= max_span_chars:
                found.append((max(start - 1, 0), end - 1))
    if len(found) > 1:
        found.sort(key=lambda se: (se[0], -se[1]))
        kept, reach = [], -1
        for start, end in found:
            if start >= reach:
                kept.append((start, end))
                reach = end
        found = kept
    return found


def _cut(text: str, searches: tuple[_Search, ...], max_span_chars: int) -> tuple[str, int]:
    """Remove every span with the blanks around it, keeping lines and words apart."""
    pieces: list[str] = []
    last = "\n"  # last character written so far; the document start counts as a line start
    pos = cuts = 0
    for start, end in _spans(text, searches, max_span_chars):
        start = max(start, pos)  # the previous cut may have taken the blanks this span starts with
        if end <= start or not text[start:end].strip():
            continue
        while start > pos and text[start - 1] in " \t":
            start -= 1
        while end < len(text) and text[end] in " \t":
            end += 1
        if start > pos:
            pieces.append(text[pos:start])
            last = text[start - 1]
        cuts += 1
        at_line_start = last == "\n"
        if end == len(text) or text[end] == "\n":
            if last in " \t":  # no blanks left dangling at the line end
                while pieces:
                    stripped = pieces[-1].rstrip(" \t")
                    if stripped:
                        pieces[-1] = stripped
                        break
                    pieces.pop()
                last = pieces[-1][-1] if pieces else "\n"
            if at_line_start and end < len(text):
                end += 1  # the cut emptied the line: drop its line break too
        elif not at_line_start and last not in " \t":
            pieces.append(" ")  # a span cut from inside a line leaves one space
            last = " "
        pos = end
    if not cuts:
        return text, 0
    pieces.append(text[pos:])
    return "".join(pieces), cuts


def _clean(text: str, rule_set: tuple[_Rule, ...], max_span_chars: int) -> tuple[str, dict[str, int]]:
    counts = {rule.name: 0 for rule in rule_set}
    out = text
    for rule in rule_set:
        if rule.gate is not None and rule.gate.search(out) is None:
            continue
        out, counts[rule.name] = _cut(out, rule.searches, max_span_chars)
    if out != text and not text.endswith("\n"):
        out = out.rstrip("\n")  # a removed last line must not leave a dangling break
    return out, counts


def clean_news_boilerplate(
    text: str,
    *,
    rules: list[str] | None = None,
    patterns_path: str | None = None,
    patterns_mode: str = "extend",
    max_span_chars: int = 1000,
) -> str:
    """Cut Korean news boilerplate: bylines, reporter sign-offs, copyright footers, photo credits, promo tails.

    Every rule is a set of regular expressions in dps/data/news_boilerplate.yaml that cut spans out of a
    line: a byline prefix ("(서울=연합뉴스) 홍길동 기자 ="), a sign-off suffix ("홍길동 기자
    hong@example.com"), a footer ("<저작권자 ⓒ 연합뉴스, 무단 전재-재배포 금지>"). A span cut from inside a
    line leaves one space; a line is removed only when the cuts leave nothing on it. Patterns are specific
    and anchored (suffixes at a line end after a sentence end, prefixes on distinctive markers such as
    "(지역=매체)" or "기자 ="), so a line that is mostly ordinary prose keeps its prose. News chunks are
    often one long line with the headline before the byline; the byline rules therefore match mid-line.

    Rules, in the order they run: related_articles ([관련기사] and ▶ subscribe/tip-off tails),
    copyright, reporter_signature, photo_caption ([사진=…], /사진=…), byline, dateline (입력 2023. 3.
    2. 10:15). Judgement calls: caption sentences after ▲ are kept (▲ also marks list items in news);
    a bare "홍길동 기자" is cut only at a line end right after a sentence end; datelines need both a date
    and a time. clean_news_boilerplate_with_stats returns per-rule counts from the same code path.

    Parameters:
        rules: names of the rules to apply, in file order whatever the list order; None applies all.
        patterns_path: a YAML file of extra rules and definitions in the shipped file's format; None uses
            only the shipped dps/data/news_boilerplate.yaml.
        patterns_mode: "extend" adds the user file to the shipped rules (same-name rules gain patterns);
            "replace" uses the user file alone.
        max_span_chars: a match longer than this many characters is left in place, a last guard against a
            pattern that would swallow prose.
    """
    return clean_news_boilerplate_with_stats(
        text, rules=rules, patterns_path=patterns_path, patterns_mode=patterns_mode, max_span_chars=max_span_chars
    )[0]


@stats_twin(clean_news_boilerplate)
def clean_news_boilerplate_with_stats(
    text: str,
    *,
    rules: list[str] | None,
    patterns_path: str | None,
    patterns_mode: str,
    max_span_chars: int,
) -> tuple[str, dict[str, int]]:
    """clean_news_boilerplate, also returning how many spans each rule cut (every selected rule, zeros too)."""
    rule_set, gate = _select(None if rules is None else tuple(rules), patterns_path, patterns_mode)
    if not text or (gate is not None and gate.search(text) is None):  # most documents stop here
        return text, {rule.name: 0 for rule in rule_set}
    return _clean(text, rule_set, max_span_chars)
