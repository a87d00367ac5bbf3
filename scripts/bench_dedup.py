#!/usr/bin/env python3
"""Benchmark exact_dedup / minhash_dedup: quality on a built near-duplicate set, signature speed, wall time.

    python scripts/bench_dedup.py all        # everything below, in this order (~10 min on 2 cores)
    python scripts/bench_dedup.py quality    [--data ../shared/data] [--num-perm 128] [--ngram 5] [--families 2500]
    python scripts/bench_dedup.py speed      [--data ../shared/data]            # no Spark
    python scripts/bench_dedup.py choose-n   [--data ../shared/data]            # no Spark
    python scripts/bench_dedup.py e2e        [--data ../shared/data] [--scaled-mb 500] [--work /tmp/dps_bench_dedup]

quality: builds a near-duplicate set from the real documents in --data: families of an original and variants
made by realistic edits (sentence insert / delete / replace, reordering, boilerplate header and footer changes,
whitespace, emoticon-length and punctuation changes), plus hard negatives (different articles under the same
long boilerplate, documents sharing part of their sentences, template reviews). Ground truth is the true Jaccard
of character n-gram sets computed with Python sets (not dps's hashing) for every pair inside a family, every
hard-negative pair, and every pair datasketch's own MinHashLSH finds at threshold 0.5. True clusters are the
connected components of the pairs with true Jaccard >= the threshold. Runs minhash_dedup in Spark (local[2]) with
and without verification and prints recall by true-Jaccard band, precision (duplicate markings whose survivor is
in the same true cluster), and lost clusters.

speed: MinHash signature throughput of dps (vectorized numpy, one process = one core) against datasketch's
MinHash on the same documents with the same normalization and shingles.

choose-n: for character n-grams n = 2..8 without spaces (the default), with spaces, and word n-grams: the Jaccard
that single realistic edits leave and the Jaccard of unrelated documents and hard negatives: the measurements
behind the default shingling.

e2e: `dps run`-equivalent jobs (exact_dedup then minhash_dedup, driver heap 1 GB, local[2]) on the data as is
(~27 MB), on half of a scaled corpus and on all of it (~--scaled-mb MB: copies of the data, each under its own
substitution cipher on Hangul syllables, Latin letters and digits, so copies are not duplicates of each other but
keep the data's structure and duplicate rate). Prints wall time and seconds per MB for each, and the marginal cost
per MB between sizes (the small run carries Spark's fixed per-job costs).

Start it under `flock /tmp/spark.lock` on shared machines (quality and e2e start Spark).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

from _common import DATA_DIR, data_files, read_records, scratch_folder  # noqa: E402
from dps.dedup.signatures import normalize_for_dedup, optimal_bands, signatures  # noqa: E402

# Invented boilerplate (no text of the data set): news headers and footers, review-site templates.
HEADERS = ["[한빛일보] 김하늘 기자 =", "(서울=새솔뉴스) 이바다 기자 =", "[온누리경제 박구름 기자]",
           "▲ 사진 제공 = 가람통신", "[속보]", "<앵커> 오늘의 주요 소식입니다."]
FOOTERS = ["ⓒ 한빛일보, 무단 전재 및 재배포 금지", "새솔뉴스 제보하기 ▷ 카톡·라인에서 '새솔뉴스' 검색",
           "온누리경제 구독하고 주요 뉴스를 받아보세요.", "저작권자 © 가람통신 무단전재-재배포 금지",
           "기사 제보 및 보도자료 news@example.kr", "▶ 한빛일보 바로가기 ▶ 오늘의 운세 ▶ 날씨 정보"]
LONG_HEADER = ("[한빛일보 모바일] 오늘의 주요 뉴스 | 정치 | 경제 | 사회 | 문화 | 스포츠 | 연예 | 로그인 | 회원가입 | "
               "구독 신청 | 많이 본 뉴스 | 전체 기사 보기 | 글자 크기 조절 | 인쇄하기 | 공유하기")
LONG_FOOTER = ("한빛일보 | 등록번호 서울 아00000 | 발행인 홍길동 | 편집인 김철수 | 주소 서울특별시 중구 한빛로 1 | "
               "대표전화 02-000-0000 | 청소년보호책임자 이영희 | ⓒ 한빛일보 All rights reserved. 무단 전재, 재배포 및 "
               "AI 학습 이용 금지 | 고충처리인 | 개인정보처리방침 | 이메일무단수집거부")
REVIEW_TEMPLATE = ("★ 평점 {score}점 | 관람일 {month}월 {day}일 | 스포일러 없음 | 한줄평: {line} | "
                   "추천 {up} 비추천 {down}")
EMOTICONS = ["ㅋ", "ㅎ", "ㅠ", "ㅜ"]
BANDS = [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.85), (0.85, 0.9), (0.9, 0.95), (0.95, 1.0001)]


def load_docs(data: str) -> list[dict]:
    return [rec for path in data_files(data) for rec in read_records(path)]


# --------------------------------------------------------------------------------------------------- ground truth

def ngram_set(text: str, n: int, ignore_spaces: bool = True) -> set[str]:
    """Character n-grams as minhash_dedup defines them, with Python strings (independent of dps's hashing)."""
    t = normalize_for_dedup(text, lowercase=True, strip_punctuation=True)
    if ignore_spaces:
        t = t.replace(" ", "")
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def datasketch_pairs(texts: dict[str, str], n: int, threshold: float) -> set[tuple[str, str]]:
    """Candidate pairs from datasketch's MinHashLSH (an implementation independent of dps)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    pairs = set()
    for doc_id, text in texts.items():
        m = MinHash(num_perm=128, seed=7)
        shingles = ngram_set(text, n)
        if not shingles:
            continue
        m.update_batch([s.encode("utf-8") for s in shingles])
        for other in lsh.query(m):
            pairs.add((min(doc_id, other), max(doc_id, other)))
        lsh.insert(doc_id, m)
    return pairs


# ------------------------------------------------------------------------------------------------------ edits

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def units(text: str) -> tuple[list[str], str]:
    """Lines of a multi-line page, else sentences; with the separator to join them back."""
    if text.count("\n") >= 3:
        return [u for u in text.split("\n") if u.strip()], "\n"
    return [u for u in _SENTENCE_END.split(text) if u.strip()], " "


def edit_whitespace(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    out = []
    for w in words:
        out.append(w)
        r = rng.random()
        out.append("  " if r < 0.05 else "\n" if r < 0.07 else "" if r < 0.09 else " ")
    return "".join(out).strip()


def edit_spacing(text: str, rng: random.Random) -> str:
    """Korean spacing errors: about one space in twelve dropped, one word in twelve split."""
    out = []
    for word in text.split(" "):
        if len(word) > 3 and rng.random() < 0.08:
            cut = rng.randrange(1, len(word) - 1)
            word = word[:cut] + " " + word[cut:]
        out.append(word)
        out.append("" if rng.random() < 0.08 else " ")
    return "".join(out).strip()


def edit_emoticons(text: str, rng: random.Random) -> str:
    runs = list(re.finditer(r"([ㅋㅎㅠㅜ])\1+", text))
    if runs and rng.random() < 0.7:
        m = rng.choice(runs)
        return text[:m.start()] + m.group(1) * rng.randint(2, 9) + text[m.end():]
    parts, sep = units(text)
    i = rng.randrange(len(parts))
    parts[i] = parts[i] + rng.choice(EMOTICONS) * rng.randint(2, 6)
    return sep.join(parts)


def edit_punctuation(text: str, rng: random.Random) -> str:
    swaps = [(".", ".."), ("!", "!!!"), ("?", "??"), (",", ""), (".", "~")]
    a, b = rng.choice(swaps)
    positions = [m.start() for m in re.finditer(re.escape(a), text)]
    if not positions:
        return text + rng.choice(["!", "~", "..."])
    for p in sorted(rng.sample(positions, min(len(positions), rng.randint(1, 3))), reverse=True):
        text = text[:p] + b + text[p + len(a):]
    return text


def edit_boilerplate(text: str, rng: random.Random) -> str:
    for h in HEADERS:
        if text.startswith(h):
            text = text[len(h):].lstrip()
            break
    for f in FOOTERS:
        if text.endswith(f):
            text = text[:-len(f)].rstrip()
            break
    r = rng.random()
    if r < 0.4:
        return f"{rng.choice(HEADERS)} {text}"
    if r < 0.8:
        return f"{text}\n{rng.choice(FOOTERS)}"
    return f"{rng.choice(HEADERS)} {text}\n{rng.choice(FOOTERS)}"


def edit_units(text: str, rng: random.Random, donor: str) -> str:
    parts, sep = units(text)
    donor_parts, _ = units(donor)
    op = rng.choice(["insert", "delete", "replace", "reorder"])
    if op == "insert" or len(parts) < 2:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(donor_parts))
    elif op == "delete":
        parts.pop(rng.randrange(len(parts)))
    elif op == "replace":
        parts[rng.randrange(len(parts))] = rng.choice(donor_parts)
    else:
        i, j = rng.sample(range(len(parts)), 2)
        parts.insert(j, parts.pop(i))
    return sep.join(parts)


def make_variant(text: str, rng: random.Random, donors: list[str]) -> str:
    """A few realistic edits; light (spacing, emoticons, punctuation, boilerplate) or heavy (sentences)."""
    light = [edit_whitespace, edit_spacing, edit_emoticons, edit_punctuation, edit_boilerplate]
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 5, 6])):
        if rng.random() < 0.45:
            text = edit_units(text, rng, rng.choice(donors))
        else:
            text = rng.choice(light)(text, rng)
    return text


def build_set(docs: list[dict], n: int, families: int, seed: int = 1) -> tuple[dict, dict, list]:
    """Returns (texts by id, family by id, ground-truth pairs to check)."""
    rng = random.Random(seed)
    pool = [d for d in docs if len(d["text"]) >= 300 and len(units(d["text"])[0]) >= 4]
    rng.shuffle(pool)
    # Drop naturally similar originals so that families are the only near-duplicates we plant.
    texts = {f"o{i:05d}": d["text"] for i, d in enumerate(pool[:families * 2])}
    natural = datasketch_pairs(texts, n, 0.3)
    drop = {b for _, b in natural}
    originals = [t for k, t in texts.items() if k not in drop]
    rng.shuffle(originals)
    donors = [t for t in (d["text"] for d in pool[families * 2:families * 3])] or originals

    out, family = {}, {}
    for f, original in enumerate(originals[:families]):
        fid = f"f{f:05d}"
        out[f"{fid}-0"], family[f"{fid}-0"] = original, fid
        members = [original]
        for v in range(1, rng.choice([2, 2, 3, 3, 4, 5])):
            base = members[-1] if rng.random() < 0.3 else original  # some variants of variants: chains
            members.append(make_variant(base, rng, donors))
            out[f"{fid}-{v}"], family[f"{fid}-{v}"] = members[-1], fid
    spare = originals[families:]
    hard_pairs = []
    # Hard negatives 1: different documents under the same long boilerplate.
    for i in range(0, min(len(spare) - 1, 600), 2):
        a, b = f"hb{i:05d}", f"hb{i + 1:05d}"
        out[a] = f"{LONG_HEADER}\n{spare[i]}\n{LONG_FOOTER}"
        out[b] = f"{LONG_HEADER}\n{spare[i + 1]}\n{LONG_FOOTER}"
        hard_pairs.append((a, b))
    # Hard negatives 2: half of an original's units followed by someone else's.
    for i, original in enumerate(originals[:400]):
        parts, sep = units(original)
        other, _ = units(rng.choice(donors))
        k = max(1, len(parts) // 2)
        hid = f"hp{i:05d}"
        out[hid] = sep.join(parts[:k] + other[:max(1, len(parts) - k)])
        hard_pairs.append((f"f{i:05d}-0", hid))
    # Hard negatives 3: short reviews in one site template.
    lines = [u for d in donors[:300] for u in units(d)[0] if 15 <= len(u) <= 60][:300]
    for i, line in enumerate(lines):
        out[f"ht{i:05d}"] = REVIEW_TEMPLATE.format(score=rng.randint(1, 10), month=rng.randint(1, 12),
                                                   day=rng.randint(1, 28), line=line, up=rng.randint(0, 99),
                                                   down=rng.randint(0, 9))
    for i in range(0, len(lines) - 1):
        hard_pairs.append((f"ht{i:05d}", f"ht{i + 1:05d}"))
    return out, family, hard_pairs


def ground_truth(texts: dict, family: dict, hard_pairs: list, n: int, threshold: float):
    members = defaultdict(list)
    for doc_id, fid in family.items():
        members[fid].append(doc_id)
    pairs = {(min(a, b), max(a, b)) for ids in members.values() for i, a in enumerate(ids) for b in ids[i + 1:]}
    pairs |= {(min(a, b), max(a, b)) for a, b in hard_pairs}
    pairs |= datasketch_pairs(texts, n, 0.5)
    sets = {k: ngram_set(t, n) for k, t in texts.items()}
    sim = {p: jaccard(sets[p[0]], sets[p[1]]) for p in pairs}
    uf = UnionFind()
    for (a, b), j in sim.items():
        if j >= threshold:
            uf.union(a, b)
    return sim, {k: uf.find(k) for k in texts}


# ----------------------------------------------------------------------------------------------------- Spark

def bench_session(driver_memory: str = "2g"):
    from dps.config import InputConfig, JobConfig, OutputConfig, SparkConfig
    from dps.spark.session import build_session

    cfg = JobConfig(source="bench", input=InputConfig(paths=("x",), id_column="id"), output=OutputConfig(path="x"),
                    stages=(), seed=0, spark=SparkConfig(master="local[2]", driver_memory=driver_memory))
    return build_session(cfg), cfg


def run_minhash(spark, cfg, texts: dict, **params) -> tuple[dict, float]:
    from dps.dedup.minhash import minhash_dedup

    rows = [(k, "bench", t, "kept", None, None) for k, t in texts.items()]
    df = spark.createDataFrame(rows, "id string, source string, text string, dps_status string, "
                                     "dps_reason string, dps_raw string").repartition(8).cache()
    df.count()
    started = time.time()
    out = minhash_dedup(df, config=cfg, **params).select("id", "dps_status", "dup_of").collect()
    elapsed = time.time() - started
    df.unpersist()
    return {r["id"]: (r["dps_status"], r["dup_of"]) for r in out}, elapsed


def score(pred: dict, sim: dict, truth: dict, family: dict, threshold: float) -> dict:
    cluster = {k: (dup_of if status == "duplicate" else k) for k, (status, dup_of) in pred.items()}
    band_hits = {b: [0, 0] for b in BANDS}
    for (a, b), j in sim.items():
        if family.get(a) is None or family.get(a) != family.get(b):
            continue
        for lo, hi in BANDS:
            if lo <= j < hi:
                band_hits[(lo, hi)][0] += cluster[a] == cluster[b]
                band_hits[(lo, hi)][1] += 1
    hi_pairs = [(a, b) for (a, b), j in sim.items() if j >= 0.85 and family.get(a) and family.get(a) == family.get(b)]
    recall_85 = sum(cluster[a] == cluster[b] for a, b in hi_pairs) / max(1, len(hi_pairs))
    marked = [(k, d) for k, (s, d) in pred.items() if s == "duplicate"]
    correct = sum(truth[k] == truth[d] for k, d in marked)
    kept = {k for k, (s, _) in pred.items() if s == "kept"}
    dangling = sum(d not in kept for _, d in marked)
    true_clusters = defaultdict(list)
    for k, root in truth.items():
        true_clusters[root].append(k)
    no_survivor = sum(1 for ids in true_clusters.values() if len(ids) > 1 and not any(i in kept for i in ids))
    below = [pair for pair, j in sim.items() if j < threshold]
    merged_negatives = sum(cluster[a] == cluster[b] and truth[a] != truth[b] for a, b in below)
    return dict(bands=band_hits, recall_85=recall_85, n_85=len(hi_pairs), marked=len(marked),
                precision=correct / max(1, len(marked)), dangling=dangling, no_survivor=no_survivor,
                merged_negatives=merged_negatives, n_negatives=len(below))


def cmd_quality(args) -> None:
    docs = load_docs(args.data)
    t0 = time.time()
    texts, family, hard = build_set(docs, args.ngram, args.families)
    sim, truth = ground_truth(texts, family, hard, args.ngram, args.threshold)
    mb = sum(len(t.encode()) for t in texts.values()) / 1e6
    print(f"near-duplicate set: {len(texts):,} documents ({mb:.1f} MB), {len(set(family.values())):,} families, "
          f"{len(hard):,} hard-negative pairs, {len(sim):,} ground-truth pairs; built in {time.time() - t0:.0f}s")
    for verify, weight in ((True, 0.9), (False, 0.5)):
        weight = args.fn_weight if args.fn_weight is not None else weight
        bands, rows = optimal_bands(args.threshold, args.num_perm, weight)
        print(f"verify={verify}: threshold {args.threshold}, char {args.ngram}-grams, num_perm {args.num_perm}, "
              f"false_negative_weight {weight} -> bands x rows = {bands} x {rows}")
    spark, cfg = bench_session()
    try:
        results = {}
        for verify in (True, False):
            pred, elapsed = run_minhash(spark, cfg, texts, threshold=args.threshold, num_perm=args.num_perm,
                                        ngram=args.ngram, false_negative_weight=args.fn_weight, verify=verify)
            results[verify] = (score(pred, sim, truth, family, args.threshold), elapsed)
    finally:
        spark.stop()
    print(f"\n{'true Jaccard band':<20}{'pairs':>8}{'merged (verify)':>18}{'merged (no verify)':>20}")
    for band in BANDS:
        on, off = results[True][0]["bands"][band], results[False][0]["bands"][band]
        label = f"[{band[0]:.2f}, {min(band[1], 1.0):.2f}{']' if band[1] > 1 else ')'}"
        print(f"{label:<20}{on[1]:>8}{on[0] / max(1, on[1]):>18.3f}{off[0] / max(1, off[1]):>20.3f}")
    print()
    for verify in (True, False):
        s, elapsed = results[verify]
        print(f"verify={str(verify):<5}: recall(J>=0.85) {s['recall_85']:.4f} over {s['n_85']} pairs | precision "
              f"{s['precision']:.4f} over {s['marked']} duplicates | lost clusters {s['no_survivor']} (true clusters "
              f"with no survivor), dup_of not kept {s['dangling']} | negative pairs merged {s['merged_negatives']}/"
              f"{s['n_negatives']} | {elapsed:.1f}s")


# ------------------------------------------------------------------------------------------------------ speed

def cmd_speed(args) -> None:
    from datasketch import MinHash

    docs = load_docs(args.data)
    rng = random.Random(3)
    rng.shuffle(docs)
    texts = [d["text"] for d in docs[:args.docs]]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"{len(texts):,} documents, {mb:.1f} MB (UTF-8), one process (= one core); char {args.ngram}-grams; "
          "best of 3 runs each; both include normalization and shingling")
    for num_perm in (128, 256):
        signatures(texts[:10], num_perm=num_perm)  # class table, permutations
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for i in range(0, len(texts), 2048):  # Arrow batches of 2,048 rows, as in the pipeline
                signatures(texts[i:i + 2048], num_perm=num_perm, n=args.ngram)
            best = min(best, time.perf_counter() - started)
        sub = texts[:max(1, len(texts) // 20)]
        sub_mb = sum(len(t.encode()) for t in sub) / 1e6
        ds = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for text in sub:
                t = normalize_for_dedup(text, lowercase=True, strip_punctuation=True).replace(" ", "")
                m = MinHash(num_perm=num_perm, seed=1)
                m.update_batch([t[i:i + args.ngram].encode("utf-8") for i in range(len(t) - args.ngram + 1)])
            ds = min(ds, time.perf_counter() - started)
        ours, theirs = mb / best, sub_mb / ds
        print(f"num_perm {num_perm}: dps {ours:6.2f} MB/s per core | datasketch {theirs:5.2f} MB/s per core "
              f"(on the first {len(sub):,} of the same documents) | {ours / theirs:.1f}x")


# --------------------------------------------------------------------------------------------------- choose-n

def cmd_choose_n(args) -> None:
    docs = load_docs(args.data)
    rng = random.Random(5)
    pool = [d["text"] for d in docs if len(d["text"]) >= 300 and len(units(d["text"])[0]) >= 4]
    rng.shuffle(pool)
    sample, donors = pool[:600], pool[600:1200]
    edits = {
        "whitespace": lambda t, r: edit_whitespace(t, r),
        "spacing": lambda t, r: edit_spacing(t, r),
        "emoticon length": lambda t, r: edit_emoticons(t, r),
        "punctuation": lambda t, r: edit_punctuation(t, r),
        "boilerplate": lambda t, r: edit_boilerplate(t, r),
        "one sentence": lambda t, r: edit_units(t, r, r.choice(donors)),
    }
    variants = {name: [(t, fn(t, random.Random(i))) for i, t in enumerate(sample)] for name, fn in edits.items()}
    unrelated = [(pool[i], pool[i + 1]) for i in range(0, 1200, 2)]
    # Same-source pairs sharing the long boilerplate: what a near-duplicate detector must not merge.
    shared = [(f"{LONG_HEADER}\n{a}\n{LONG_FOOTER}", f"{LONG_HEADER}\n{b}\n{LONG_FOOTER}") for a, b in unrelated]
    print("median true Jaccard after ONE edit (higher = robust), and the 99th percentile / max for pairs that are "
          "NOT duplicates (lower = fewer false candidates)")
    header = f"{'shingle':<16}" + "".join(f"{k:>16}" for k in edits) + f"{'unrelated p99/max':>20}" \
        f"{'same boilerplate p99/max':>26}"
    print(header)
    kinds = [("char", n) for n in range(2, 9)] + [("char+spaces", n) for n in range(3, 8)] + \
        [("word", n) for n in range(1, 4)]
    for kind, n in kinds:
        def sets(t):
            if kind != "word":
                return ngram_set(t, n, ignore_spaces=kind == "char")
            w = normalize_for_dedup(t, lowercase=True, strip_punctuation=True).split(" ")
            return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}

        cells = [statistics.median(jaccard(sets(a), sets(b)) for a, b in variants[k]) for k in edits]
        neg = sorted(jaccard(sets(a), sets(b)) for a, b in unrelated)
        hard = sorted(jaccard(sets(a), sets(b)) for a, b in shared)
        p99 = lambda xs: xs[int(0.99 * (len(xs) - 1))]  # noqa: E731
        print(f"{kind + ' ' + str(n):<16}" + "".join(f"{c:>16.3f}" for c in cells) +
              f"{p99(neg):>12.3f}/{neg[-1]:.3f}{p99(hard):>18.3f}/{hard[-1]:.3f}")


# ------------------------------------------------------------------------------------------------------- e2e

_HANGUL = range(0xAC00, 0xD7A4)


def cipher(copy: int):
    """A per-copy bijection on Hangul syllables, Latin letters and digits (str.translate table)."""
    rng = random.Random(1000 + copy)
    table = {}
    for alphabet in (list(_HANGUL), list(range(ord("a"), ord("z") + 1)), list(range(ord("A"), ord("Z") + 1)),
                     list(range(ord("0"), ord("9") + 1))):
        shuffled = alphabet[:]
        rng.shuffle(shuffled)
        table.update(zip(alphabet, shuffled))
    return table


def write_corpora(data: str, work: str, scaled_mb: float) -> tuple[str, list[str]]:
    """(the data as one JSONL file, the scaled corpus as one JSONL file per copy); written once, then reused."""
    os.makedirs(os.path.join(work, "scaled"), exist_ok=True)
    small = os.path.join(work, "corpus.jsonl")
    records = load_docs(data)
    if not os.path.exists(small):
        with open(small + ".tmp", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
        os.replace(small + ".tmp", small)
    copies = max(2, round(scaled_mb * 1e6 / os.path.getsize(small)))
    parts = []
    for c in range(copies):
        part = os.path.join(work, "scaled", f"copy-{c:03d}.jsonl")
        parts.append(part)
        if os.path.exists(part):
            continue
        table = cipher(c)
        with open(part + ".tmp", "w", encoding="utf-8") as fh:
            for rec in records:
                text = rec.get("text")
                fh.write(json.dumps({"id": f"{rec.get('id')}-c{c:03d}", "source": rec.get("source"),
                                     "text": text.translate(table) if isinstance(text, str) else text},
                                    ensure_ascii=False) + "\n")
        os.replace(part + ".tmp", part)
    return small, parts


def cmd_e2e(args) -> None:
    from dps.config import parse_config
    from dps.pipeline import run
    from dps.spark.session import build_session

    scratch_folder(args.work, fresh=False)  # the corpora are kept between runs; --work must be a scratch folder
    small, parts = write_corpora(args.data, args.work, args.scaled_mb)
    warm = os.path.join(args.work, "warmup.jsonl")
    with open(small, encoding="utf-8") as src, open(warm, "w", encoding="utf-8") as dst:
        dst.writelines(line for _, line in zip(range(2000), src))
    size = lambda paths: sum(os.path.getsize(p) for p in paths) / 1e6  # noqa: E731
    # The first job in a JVM pays JIT warm-up and Python worker start-up: a small run absorbs it.
    runs = [[warm], [small], parts[:len(parts) // 2], parts]
    results = []
    spark = None
    try:
        for i, paths in enumerate(runs):
            raw = {"input": {"paths": paths, "id_column": "id", "schema": "id string, source string, text string"},
                   # The default shard size (256 MB): one task sorts and writes ~500 MB of text at a 1 GB heap.
                   "output": {"path": os.path.join(args.work, "out"), "target_shard_mb": args.target_shard_mb},
                   "stages": ["exact_dedup", "minhash_dedup"],
                   "spark": {"master": "local[2]", "driver_memory": "1g"}}
            config = parse_config(raw, "bench")
            spark = spark or build_session(config)
            started = time.time()
            report = run(config, spark, echo=lambda _: None)
            elapsed = time.time() - started
            if i == 0:
                print(f"warm-up run ({report.input_records:,} docs): {elapsed:.1f}s")
                continue
            mb = size(paths)
            counts = {r: d for _, r, d, _ in report.by_reason()}
            results.append((mb, elapsed))
            print(f"{mb:8.1f} MB, {report.input_records:>9,} docs: {elapsed:7.1f}s, {elapsed / mb:.3f} s/MB, "
                  f"{mb / elapsed:.2f} MB/s | exact_dedup {counts.get('exact_dedup', 0):,}, minhash_dedup "
                  f"{counts.get('minhash_dedup', 0):,}, kept {report.totals()['kept']:,} | invariant "
                  f"{report.invariant()[0]}", flush=True)
    finally:
        if spark is not None:
            spark.stop()
        shutil.rmtree(os.path.join(args.work, "out"), ignore_errors=True)
    (m1, t1), (m2, t2), (m3, t3) = results
    print(f"cost per MB, {m3:.0f} MB vs {m1:.0f} MB: {(t3 / m3) / (t1 / m1):.2f}x (driver heap 1 GB, local[2])")
    print(f"marginal cost per MB: {m1:.0f}->{m2:.0f} MB {(t2 - t1) / (m2 - m1):.3f} s/MB, "
          f"{m2:.0f}->{m3:.0f} MB {(t3 - t2) / (m3 - m2):.3f} s/MB "
          f"(ratio {((t3 - t2) / (m3 - m2)) / ((t2 - t1) / (m2 - m1)):.2f}); fixed cost by extrapolation "
          f"{t1 - m1 * (t2 - t1) / (m2 - m1):.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["all", "quality", "speed", "choose-n", "e2e"])
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--target-shard-mb", type=float, default=256.0, help="e2e: output.target_shard_mb")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--fn-weight", type=float, default=None, help="default: the stage's (0.9 with verify)")
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--families", type=int, default=2500)
    parser.add_argument("--docs", type=int, default=6000, help="speed: documents to hash")
    parser.add_argument("--work", default="/tmp/dps_bench_dedup", help="e2e: where corpora and output go")
    parser.add_argument("--scaled-mb", type=float, default=500)
    args = parser.parse_args()
    commands = {"choose-n": cmd_choose_n, "speed": cmd_speed, "quality": cmd_quality, "e2e": cmd_e2e}
    for name, command in commands.items():
        if args.command in ("all", name):
            print(f"== {name}", flush=True)
            command(args)


if __name__ == "__main__":
    main()
