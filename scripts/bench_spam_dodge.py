"""Measure spam_filter's dodge normalization: catches on dodged lexicon terms, false alarms on real documents.

The dodged set is generated at run time: every Hangul lexicon term of dps/data/spam_lexicon.yaml (terms with
digits, Latin letters or a word-start ^ are left out) is spelled in each dodge style below and inserted at a
random word boundary of a real document (news chunks and review pages of the shared samples, which are read,
never copied into the repository). A dodged term is caught when inserting it raises the document's weight in
the term's category by at least the term's weight. Styles:

    dotted     안.전.놀.이.터        spaced     안 전 놀 이 터      mixed    안-전★놀/이_터 (random separators)
    one_word   안전 놀 이 터 (one word of the term spaced apart)    jamo     ㅇㅏㄴㅈㅓㄴ... (compatibility jamo)
    invisible  zero-width spaces between the syllables             abbrev   ㅌㅌ 사이트 (terms with an abbreviation)

and, as a limit (not in the total), `unlisted`: separators the view does not know (commas, digits, ♠).

It also builds spam comments (a real review line plus three dodged weight-3 terms) and counts how many
spam_filter rejects. False alarms: spam_filter's rejections of the untouched real documents, with and without
normalization, and every document whose spam weight the normalization changes (printed, to be read).

    python scripts/bench_spam_dodge.py                   # ../shared/data/ko_news_sample.jsonl, ko_reviews_sample.jsonl
    python scripts/bench_spam_dodge.py --data DIR --seed 7 --examples 10
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from _common import DATA_DIR, read_texts  # noqa: E402

from dps.text.spam import _load, spam_evidence, spam_filter, spam_scores  # noqa: E402

FILES = ("ko_news_sample.jsonl", "ko_reviews_sample.jsonl")
SEPARATORS = (".", "-", "*", "·", "/", "_", "~", "★", "♡", "..", " . ", "|")
UNLISTED = (",", "♠", "0", "ㅡ")
JAMO_L = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
JAMO_V = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
JAMO_T = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]


def is_hangul_term(term: str) -> bool:
    return all("가" <= c <= "힣" or c == " " for c in term)


def jamo(word: str) -> str:
    out = []
    for c in word:
        if "가" <= c <= "힣":
            k = ord(c) - 0xAC00
            out += [JAMO_L[k // 588], JAMO_V[k % 588 // 28], JAMO_T[k % 28]]
        else:
            out.append(c)
    return "".join(out)


def dodges(term: str, abbreviations: dict[str, str], rng: random.Random) -> dict[str, str]:
    """The term spelled in each dodge style that applies to it."""
    glued = term.replace(" ", "")
    words = term.split()
    out = {
        "dotted": ".".join(glued),
        "spaced": " ".join(glued),
        "mixed": "".join(c + rng.choice(SEPARATORS) for c in glued[:-1]) + glued[-1],
        "jamo": jamo(term),
        "invisible": "\u200b".join(glued),
        "unlisted": "".join(c + rng.choice(UNLISTED) for c in glued[:-1]) + glued[-1],
    }
    if len(words) > 1:
        k = rng.randrange(len(words))
        out["one_word"] = " ".join(" ".join(w) if i == k else w for i, w in enumerate(words))
    for short, word in abbreviations.items():
        if word in glued:
            out["abbrev"] = term.replace(word, short, 1) if word in term else glued.replace(word, short + " ", 1)
            break
    return out


def insert(doc: str, piece: str, rng: random.Random) -> str:
    spaces = [i for i, c in enumerate(doc) if c == " "]
    at = rng.choice(spaces) if spaces else len(doc)
    return f"{doc[:at]} {piece} {doc[at:]}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DATA_DIR, help="folder with the shared samples")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--examples", type=int, default=20, help="documents changed by normalization to print")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    docs = {name: read_texts(str(Path(args.data) / name)) for name in FILES}
    lexicon = _load(None, "extend")
    terms = [(k, v) for k, v in lexicon.terms.items()]
    spellings = {}
    for category, spec in __import__("yaml").safe_load(
            (ROOT / "dps" / "data" / "spam_lexicon.yaml").read_text(encoding="utf-8"))["categories"].items():
        for weight, words in spec["terms"].items():
            for word in words:
                spellings[" ".join(str(word).split())] = (category, float(weight))
    usable = {t: cw for t, cw in spellings.items() if is_hangul_term(t) and len(t.replace(" ", "")) >= 2}
    print(f"lexicon: {len(terms)} terms, {len(usable)} Hangul terms dodged "
          f"({len(spellings) - len(usable)} with digits, Latin or ^ left out)")

    # --- catches
    pool = [d for name in FILES for d in docs[name]]
    print("\n| style | dodged | caught today | caught normalized |\n| --- | --- | --- | --- |")
    totals = [0, 0, 0]
    for style in ("dotted", "spaced", "mixed", "one_word", "jamo", "invisible", "abbrev", "unlisted"):
        n = today = now = 0
        for term, (category, weight) in sorted(usable.items()):
            spelled = dodges(term, lexicon.abbreviations, rng).get(style)
            if spelled is None:
                continue
            doc = rng.choice(pool)
            dodged = insert(doc, spelled, rng)
            n += 1
            for normalize in (False, True):
                before = spam_scores(doc, normalize_dodges=normalize)[category]
                after = spam_scores(dodged, normalize_dodges=normalize)[category]
                if after - before >= weight - 1e-9:
                    if normalize:
                        now += 1
                    else:
                        today += 1
        row = f"| {style} | {n} | {today} ({today / n:.1%}) | {now} ({now / n:.1%}) |"
        if style == "unlisted":
            limit = row
            continue
        totals = [totals[0] + n, totals[1] + today, totals[2] + now]
        print(row)
    n, today, now = totals
    print(f"| **all** | {n} | {today} ({today / n:.1%}) | **{now} ({now / n:.1%})** |")
    print(limit.replace("| unlisted |", "| (limit) unlisted separators |"))

    # --- spam comments: a real review line and three dodged strong terms
    strong = sorted(t for t, (_, w) in usable.items() if w >= 3)
    lines = [ln for d in docs["ko_reviews_sample.jsonl"] for ln in d.splitlines() if 20 <= len(ln) <= 120]
    rejected = {False: 0, True: 0}
    comments = 1000
    for _ in range(comments):
        parts = [rng.choice(lines)]
        for term in rng.sample(strong, 3):
            style = rng.choice(("dotted", "spaced", "mixed", "jamo", "invisible"))
            parts.append(dodges(term, lexicon.abbreviations, rng)[style])
        comment = " ".join(parts)
        for normalize in (False, True):
            rejected[normalize] += spam_filter(comment, normalize_dodges=normalize) is not None
    print(f"\nspam comments (a review line + 3 dodged weight-3 terms), rejected by spam_filter: today "
          f"{rejected[False]} / {comments}, normalized {rejected[True]} / {comments}")

    # --- false alarms on the untouched documents
    print("\n| sample | documents | rejected today | rejected normalized | weight changed by normalization |")
    print("| --- | --- | --- | --- | --- |")
    changed = []
    for name in FILES:
        r_today = r_now = n_changed = 0
        for doc in docs[name]:
            r_today += spam_filter(doc, normalize_dodges=False) is not None
            r_now += spam_filter(doc) is not None
            a, b = spam_scores(doc, normalize_dodges=False), spam_scores(doc)
            if a != b:
                n_changed += 1
                changed.append((name, doc, a, b))
        print(f"| {name} | {len(docs[name]):,} | {r_today} | {r_now} | {n_changed} |")
    # --- throughput: spam_filter with and without the view (one core, best of 3)
    print("\n| sample | spam_filter as written | with the view |\n| --- | --- | --- |")
    for name in FILES:
        mb = sum(len(d.encode()) for d in docs[name]) / 1e6
        rates = []
        for normalize in (False, True):
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                for doc in docs[name]:
                    spam_filter(doc, normalize_dodges=normalize)
                best = min(best, time.perf_counter() - t)
            rates.append(f"{mb / best:.1f} MB/s")
        print(f"| {name} | {rates[0]} | {rates[1]} |")
    for name, doc, a, b in changed[:args.examples]:
        gained = {c: b[c] - a[c] for c in b if b[c] != a[c]}
        print(f"\n{name}: {gained} matched {spam_evidence(doc)['matched']}")
        for m in spam_evidence(doc)["matched"]:
            at = doc.find(m)
            print("   ...", doc[max(0, at - 40):at + len(m) + 40].replace("\n", " / "), "...")


if __name__ == "__main__":
    main()
