"""HTML remnants in crawled text: entities, tags, comments, script/style blocks."""

from __future__ import annotations

import html
import re

# Only names of real HTML elements count as tags. Crawled Korean text uses angle brackets for titles
# (<기생충>, <Blue Night>), arrows and comparisons (a < b, 1<2), and emoticons (>_<, <3); none of those
# is an element name, so they survive. Names must be all-lowercase or all-uppercase (<br>, <BR>):
# a titlecase word such as <Big> or <Title> is far more likely a film or song title than markup.
_ELEMENTS = frozenset(
    """a abbr acronym address area article aside audio b base basefont bdi bdo big blink blockquote body br
    button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt
    em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup
    hr html i iframe img input ins kbd label legend li link main map mark marquee menu meta meter nav nobr
    noframes noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp
    script section select small source span strike strong style sub summary sup svg table tbody td template
    textarea tfoot th thead time title tr track tt u ul var video wbr""".split()
)
# Elements that end a line of text; everything else is inline and disappears without a trace.
_BLOCK = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
    figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li main
    menu nav ol option p pre section summary table tbody tfoot thead title tr ul""".split()
)
# Inline elements that come in pairs. A bare opening tag of one (no attributes) whose closing tag appears
# nowhere in the document is text, not markup: ">ㅅ<b>" is an emoticon, "<i>" a label.
_PAIRED_INLINE = frozenset(
    "a abbr b big cite code em font i kbd mark q s small span strike strong sub sup tt u".split()
)
_CLOSING_NAMES = re.compile(r"</([A-Za-z][A-Za-z0-9]*)")
_CELL = frozenset({"td", "th"})  # a cell opening is a space, so "a</td><td>b" does not glue into "ab"
# Office/HWP paste debris such as <o:p></o:p>, <v:shape ...>, <st1:place>.
_OFFICE_PREFIXES = frozenset({"o", "v", "w", "m", "st1"})
_RAW_TEXT = ("script", "style", "noscript", "template", "svg")  # content is never prose

# One tag: name, optional attributes, optional self-closing slash. Attributes may not contain < or >,
# so a failed attempt stops at the next bracket and the whole scan stays linear.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*(?::[A-Za-z][A-Za-z0-9]*)?)(?=[\s/>])[^<>]*>")
_DOCTYPE = re.compile(r"<![A-Za-z][^<>]*>|<\?xml[^<>]*>")
_RAW_OPEN = re.compile(r"<(script|style|noscript|template|svg)(?=[\s>])[^<>]*>", re.IGNORECASE)
_RAW_CLOSE = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW_TEXT}

# Entities need their semicolon, except the five that crawls often leave without one. Requiring it keeps
# URLs like ?a=1&copy=2 and names like AT&T intact (html.unescape alone would turn &copy into ©).
_ENTITY = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
    r"|&(?:nbsp|amp|lt|gt|quot)(?![A-Za-z0-9;=])"
)
_ENTITY_OVERRIDES = {"&nbsp;": " ", "&nbsp": " ", "&shy;": ""}  # layout-only characters

_BLOCK_MARK = "\x00"  # placeholder for a block boundary; NUL never survives into the output
# A run of block marks (with the blanks between them) and the spaces/tabs around it. The lookbehind lets a
# match start only where a blank run starts, and the possessive *+ never gives the run back: otherwise every
# space of a long run not followed by a mark is a new start that scans the rest of the run (quadratic).
# The group is possessive too (nothing after it needs its repetitions back): re then keeps no state per
# repetition, which for 300k consecutive block tags was megabytes of stack and a 4x slower scan.
_BLOCK_RUN = re.compile(r"(?<![ \t])[ \t]*+\x00(?:\s*\x00)*+[ \t]*")
# Three or more line breaks with only spaces/tabs between, and the blanks after them. Written without a
# repeated group: re keeps state for every repetition of a group, so one 1 MB blank run grew its stack by
# megabytes (a 10x time step past ~0.5 MB); a character class repeats with no state.
_MANY_BLANK_LINES = re.compile(r"\n[ \t]*+\n[ \t]*+\n[ \t\n]*")


def _unescape_once(text: str) -> str:
    def repl(m: re.Match) -> str:
        s = m.group()
        special = _ENTITY_OVERRIDES.get(s)
        return special if special is not None else html.unescape(s)

    return _ENTITY.sub(repl, text)


def _drop_between(text: str, start: str, end: str) -> str:
    """Remove start...end spans with str.find, linear even when an end marker is missing."""
    parts, pos = [], 0
    while True:
        i = text.find(start, pos)
        if i < 0:
            break
        j = text.find(end, i + len(start))
        if j < 0:  # an unclosed comment swallows nothing: keep the rest as it is
            break
        parts.append(text[pos:i])
        pos = j + len(end)
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _drop_raw_blocks(text: str, boundary: str) -> str:
    parts, pos, search_from = [], 0, 0
    unclosed: set[str] = set()  # names with no closing tag after the last search: never search again
    while True:
        m = _RAW_OPEN.search(text, search_from)
        if m is None:
            break
        search_from = m.end()
        name = m.group(1)
        if not (name.islower() or name.isupper()):  # <Style> is a title, as for every other tag
            continue
        name = name.lower()
        close = None if name in unclosed else _RAW_CLOSE[name].search(text, m.end())
        parts.append(text[pos : m.start()])
        if close is None:  # unclosed: drop only the opening tag, never the rest of the document
            unclosed.add(name)
            pos = m.end()
            continue
        parts.append(boundary)
        pos = search_from = close.end()
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _tag_replacement(m: re.Match, block_newlines: bool, closed: set[str]) -> str:
    name = m.group(2)
    if not (name.islower() or name.isupper()):
        return m.group()
    lower = name.lower()
    if lower in _PAIRED_INLINE and not m.group(1) and lower not in closed and m.end() - m.start() == len(name) + 2:
        return m.group()
    if ":" in lower:
        return "" if lower.split(":", 1)[0] in _OFFICE_PREFIXES else m.group()
    if lower not in _ELEMENTS:
        return m.group()
    if lower == "br":
        return "\n" if block_newlines else " "
    if lower in _BLOCK:
        return _BLOCK_MARK if block_newlines else " "
    if lower in _CELL:
        return "" if m.group(1) else " "
    return ""


def strip_html(
    text: str,
    *,
    unescape_entities: bool = True,
    max_unescape_passes: int = 2,
    drop_script_style: bool = True,
    block_tags_to_newlines: bool = True,
) -> str:
    """Remove HTML remnants: unescape entities, turn <br>/<p> into line breaks, drop tags and comments.

    Entities are unescaped first (&nbsp; becomes a plain space, &shy; disappears, &times; becomes ×), so
    markup that a crawler double-escaped (&amp;lt;br&amp;gt;) is handled like real markup. Then HTML
    comments, <!DOCTYPE>, and the contents of script/style/noscript/template/svg blocks are removed, and
    every remaining tag whose name is a real HTML element is dropped: <br> becomes a line break, block
    elements (<p>, <div>, <li>, <tr>, <h1>...) become one line break per run of consecutive block tags,
    table cells a space, inline tags (<b>, <span>, <a href=...>) nothing. In a document that had markup,
    runs of blank lines then collapse to one and the ends are trimmed.

    Judgement calls. Text that merely contains < or > is never touched: a < b, 1<2, >_<, <3, Korean
    title brackets (<기생충>, <사진>), and English titles that are not element names (<Blue Night>). A titlecase
    element name (<Big>, <Title>) is kept as a title; lowercase or uppercase ones (<b>, <B>) are markup,
    except a bare opening tag of a paired inline element (<b>, <i>, <a>, <span> ...) whose closing tag
    appears nowhere in the document: that is an emoticon (">ㅅ<b>") or a label. Escaped markup (&lt;br&gt;) is
    treated as markup, which suits crawls and costs the rare HTML tutorial its examples. An unclosed
    comment or script block removes only its opening marker. Entities need their semicolon except
    &nbsp &amp &lt &gt &quot, so URLs (?a=1&copy=2) and names (AT&T) stay intact. Text without "<" or
    "&" is returned unchanged at once.

    Parameters:
        unescape_entities: decode HTML character references (&amp; &#49888; &nbsp; ...); False keeps them.
        max_unescape_passes: how many times to decode, so double-escaped crawls (&amp;nbsp;) come out clean;
            1 decodes exactly once.
        drop_script_style: remove the contents of script, style, noscript, template and svg elements, not
            only their tags.
        block_tags_to_newlines: turn <br> and block elements into line breaks; False turns them into
            spaces.
    """
    if "<" not in text and "&" not in text:
        return text
    if "\x00" in text:  # NUL is debris, and the block placeholder must be unambiguous
        text = text.replace("\x00", "")
    if unescape_entities and "&" in text:
        for _ in range(max(0, max_unescape_passes)):
            decoded = _unescape_once(text)
            if decoded == text:
                break
            text = decoded
    if "<" not in text:
        return text
    original = text
    if "<!--" in text:
        text = _drop_between(text, "<!--", "-->")
    if "<!" in text or "<?" in text:
        text = _DOCTYPE.sub("", text)
    if drop_script_style:
        text = _drop_raw_blocks(text, _BLOCK_MARK if block_tags_to_newlines else " ")
    closed = {name.lower() for name in _CLOSING_NAMES.findall(text)}
    text = _TAG.sub(lambda m: _tag_replacement(m, block_tags_to_newlines, closed), text)
    if text == original:
        return text
    if _BLOCK_MARK in text:
        text = _BLOCK_RUN.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()
