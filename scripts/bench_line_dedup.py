#!/usr/bin/env python3
"""Benchmark line_dedup: line-level precision and recall of boilerplate removal, and whole-chain throughput.

    python scripts/bench_line_dedup.py [--data ../shared/data] [--work /tmp/dps_bench_line_dedup] [--sites 60]
                                       [--runs 2] [--skip-throughput]

1. Builds a labelled set in --work (never in the repository): every news chunk and review page of the shared data
   becomes one page of one of --sites invented sites (news sites for news, community sites for reviews), wrapped in
   the site's template: menus (one item per line or one bar), login/회원가입 bars, breadcrumbs, date lines,
   "많이 본 뉴스" lists that change every ~20 pages, "관련 기사" lists drawn from a pool of the site's headlines,
   comment-widget text, footers (address, phone, 무단전재 notices in many wordings, e-mail). Every site picks its
   own wordings, and each page drops some template parts at random. Legitimately repeated lines are added: short
   greetings and thanks as their own line inside the text, opening it or signing it off (on many pages of every
   site), and well-known proverbs as their own line (each on a few dozen pages of different sites). Every line is
   labelled boilerplate, content or repeated-content.
2. Runs line_dedup (Spark, local mode) on the set under the default parameters and compares every line: removed
   boilerplate / removed lines (precision) and removed boilerplate / boilerplate lines (recall), with what was
   removed of each kind. A pure-Python replica of the counting checks the Spark result line by line, and sweeps
   min_docs, min_chars and keep_first. Also: how many lines line_dedup removes from the shared data as it is
   (no templates).
3. Runs the configs/korean_web.yaml chain on the set with and without line_dedup (warm-up run first, best of
   --runs), prints the throughput of both and the drop.

Targets (issue 16): recall >= 0.95, precision >= 0.98, whole-chain throughput drop <= 15 %.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import DATA_DIR, read_records, scratch_folder  # noqa: E402

from dps.text.lines import remove_units, unit_hashes, units  # noqa: E402

BOILER, CONTENT, REPEAT = "boilerplate", "content", "repeated"

# ---------------------------------------------------------------------------------------------- site templates

SYL = "한빛새누리온누리바른참좋은열린푸른하늘별빛미래나라세상우리마을시대경제생활문화스포츠"
SECTIONS = ["정치", "경제", "사회", "국제", "문화", "연예", "스포츠", "IT/과학", "오피니언", "지역"]
MENU_EXTRA = ["포토", "영상", "기획", "인물", "전국", "날씨", "전체기사", "이슈", "English", "구독"]
LOGIN = [
    ['로그인', '회원가입'],
    ['로그인 | 회원가입 | 마이페이지'],
    ['로그인', '회원가입', '아이디/비밀번호 찾기'],
    ['Login', 'Join'],
    ['로그인 회원가입 고객센터'],
    ['로그인 / 회원가입 후 더 많은 기능을 이용하세요'],
]
DATE = [
    '{y}.{m:02d}.{d:02d} ({w}) {h:02d}:{mi:02d}',
    '입력 {y}-{m:02d}-{d:02d} {h:02d}:{mi:02d}',
    '기사입력 {y}.{m}.{d}. 오전 {h}:{mi:02d}',
    '{y}년 {m}월 {d}일 {w}요일',
    '수정 {y}.{m:02d}.{d:02d} {h:02d}:{mi:02d}',
]
WEEK = '월화수목금토일'
COPYRIGHT = [
    'ⓒ {site} 무단전재 및 재배포 금지',
    'Copyright ⓒ {site}. All rights reserved.',
    '<저작권자 ⓒ {site}, 무단 전재-재배포 금지>',
    '저작권자 © {site} 무단전재 및 재배포, AI학습 이용 금지',
    '이 기사의 저작권은 {site}에 있으며, 무단 복제 및 배포를 금합니다.',
    'ⓒ{site}. 무단전재·재배포 금지',
    'Copyright © {y} {site} Co., Ltd. All Rights Reserved.',
    '본 콘텐츠의 저작권은 {site}에 있습니다',
]
ADDRESS = [
    '주소: 서울특별시 {gu} {road} {n} | 대표전화 02-{a}-{b}',
    '{site} | 등록번호 서울 아{n:05d} | 발행인 {person}',
    '(우) 0{n:04d} 서울시 {gu} {road} {n}, {site}빌딩 {f}층',
    '청소년보호책임자 {person} | 개인정보관리책임자 {person2}',
    '사업자등록번호 {a}-{f}-{b}{n} | 통신판매업신고 제{y}-서울{gu}-{n}호',
]
CONTACT = [
    '기사제보 및 보도자료 news@{dom}.co.kr',
    '제보하기: 카카오톡 {site} 검색',
    '고객센터 1588-{a} (평일 09:00~18:00)',
    '광고문의 ad@{dom}.com | 제휴문의',
    '회사소개 | 이용약관 | 개인정보처리방침 | 청소년보호정책 | 고충처리인',
]
MOST_READ = [
    '많이 본 뉴스',
    '가장 많이 본 기사',
    '실시간 인기기사',
    '오늘의 주요뉴스',
    '랭킹 뉴스',
]
RELATED = [
    '관련 기사',
    '관련기사 더보기',
    '함께 보면 좋은 기사',
    '이 기사와 관련된 기사',
    '추천 기사',
]
COMMENT = [
    ['댓글 {n}', '로그인 후 댓글을 작성하실 수 있습니다.'],
    ['댓글쓰기', '최신순 | 공감순 | 답글순'],
    ['이 기사에 대한 의견을 남겨주세요 (0/300자)', '등록'],
    ['댓글을 입력해주세요. 욕설, 비방 댓글은 삭제될 수 있습니다.'],
    ['좋아요 {n}', '화나요 {n}', '슬퍼요 {n}', '공유하기'],
    ['전체 댓글 {n}개', '더보기'],
]
REVIEW_TOP = [
    '평점 ★★★★☆ 관람객 리뷰',
    '네티즌 평점 {n}.{f} | 리뷰 {a}건',
    '스포일러 포함 리뷰 보기',
    '관람평 쓰기 | 내 평점 등록',
]
GREETINGS = [
    '안녕하세요.',
    '감사합니다.',
    '안녕하세요!',
    '여러분 안녕하세요.',
    '고맙습니다~',
    '잘 봤습니다.',
    '추천합니다!',
]
QUOTES = [
    '천 리 길도 한 걸음부터라는 말이 있다.',
    '시작이 반이다라는 말처럼 일단 해 보는 수밖에 없다.',
    '낮말은 새가 듣고 밤말은 쥐가 듣는다고 했다.',
    '백지장도 맞들면 낫다는 옛말이 떠오른다.',
    '하늘이 무너져도 솟아날 구멍이 있다고 했다.',
    '고생 끝에 낙이 온다는 말을 믿는다.',
    '가는 말이 고와야 오는 말이 곱다고 한다.',
    '세 살 버릇 여든까지 간다는 속담 그대로다.',
]
GU = ["중구", "종로구", "마포구", "영등포구", "강남구", "용산구", "서초구"]
ROAD = ["세종대로", "통일로", "마포대로", "여의대로", "테헤란로", "한강대로"]
PERSON = ["김민수", "이서연", "박지훈", "최유진", "정우성", "한지민", "오세훈", "윤하늘"]


def make_site(rng: random.Random, i: int, kind: str) -> dict:
    name = "".join(rng.sample(SYL, 2)) + ("일보" if kind == "news" else rng.choice(["넷", "톡", "무비", "플러스"]))
    name = f"{name}{i}" if rng.random() < 0.3 else name
    dom = f"site{i:02d}"
    menu = [*rng.sample(SECTIONS, rng.randint(4, 8)), *rng.sample(MENU_EXTRA, rng.randint(0, 3))]
    fill = dict(site=name, dom=dom, y=2026, gu=rng.choice(GU), road=rng.choice(ROAD), n=rng.randint(10, 99999),
                a=rng.randint(1000, 9999), b=rng.randint(1000, 9999), f=rng.randint(2, 20), person=rng.choice(PERSON),
                person2=rng.choice(PERSON))
    return {
        "kind": kind, "name": name,
        "menu": menu, "menu_bar": rng.random() < 0.4, "menu_sep": rng.choice([" | ", " · ", "  ", " > "]),
        "login": rng.choice(LOGIN), "date": rng.choice(DATE),
        "copyright": [c.format(**fill) for c in rng.sample(COPYRIGHT, rng.randint(1, 2))],
        "address": [a.format(**fill) for a in rng.sample(ADDRESS, rng.randint(1, 3))],
        "contact": [c.format(**fill) for c in rng.sample(CONTACT, rng.randint(1, 2))],
        "most_read": rng.choice(MOST_READ), "related": rng.choice(RELATED), "comment": rng.choice(COMMENT),
        "review_top": rng.choice(REVIEW_TOP).format(**fill),
        "order": rng.random() < 0.5,  # related list before or after the comment widget
        "headlines": [],  # filled from the site's own articles
    }


def paragraphs(text: str, rng: random.Random) -> list[str]:
    """A news chunk (one line in the data) as paragraphs of 1-3 sentences; review pages keep their lines."""
    if "\n" in text:
        return [line for line in text.split("\n") if line.strip()]
    sentences = [s for s in re.split(r"(?<=[.?!다])\s+(?=\S)", text) if s]
    out, i = [], 0
    while i < len(sentences):
        k = rng.randint(1, 3)
        out.append(" ".join(sentences[i:i + k]))
        i += k
    return out


def page(site: dict, body: list[str], index: int, rng: random.Random) -> list[tuple[str, str]]:
    """One labelled page: [(line, label)]."""
    lines: list[tuple[str, str]] = []

    def add(text, label=BOILER):
        lines.append((text, label))

    d = dict(y=2026, m=rng.randint(1, 12), d=rng.randint(1, 28), h=rng.randint(0, 23), mi=rng.randint(0, 59),
             w=rng.choice(WEEK))
    for item in site["login"]:
        add(item)
    if site["menu_bar"]:
        add(site["menu_sep"].join(site["menu"]))
    else:
        for item in site["menu"]:
            add(item)
    add("")
    if site["kind"] == "news":
        section = rng.choice(site["menu"][:4])
        add(f"홈 > {section}" if rng.random() < 0.7 else f"{section} 뉴스")
        add(site["date"].format(**d))
    else:
        add(site["review_top"])
    add("")
    # The body, with legitimately repeated lines inside it.
    body = list(body)
    if rng.random() < (0.35 if site["kind"] == "reviews" else 0.12) and len(body) > 1:
        body.insert(rng.randint(1, len(body) - 1), ("\x00greet", rng.choice(GREETINGS)))
    if rng.random() < 0.1:  # a greeting opening the post, glued to its first paragraph
        body.insert(0, ("\x00greet", rng.choice(GREETINGS[:4])))
    if rng.random() < 0.15:  # a sign-off closing it
        body.append(("\x00greet", rng.choice(GREETINGS[1:])))
    if rng.random() < 0.01:
        body.insert(rng.randint(0, len(body)), ("\x00quote", rng.choice(QUOTES)))
    for part in body:
        if isinstance(part, tuple):
            add(part[1], REPEAT)
        else:
            add(part, CONTENT)
    add("")
    tail: list[list[tuple[str, str]]] = []
    heads = site["headlines"]
    if heads and rng.random() < 0.8:
        block = [(site["related"], BOILER)] + [(f"▶ {h}", BOILER) for h in rng.sample(heads, min(3, len(heads)))]
        tail.append(block)
    if rng.random() < 0.8:
        tail.append([(c.format(n=rng.randint(0, 300)), BOILER) for c in site["comment"]])
    if not site["order"]:
        tail.reverse()
    if heads and rng.random() < 0.7:
        day = index // 20  # the most-read list changes every ~20 pages
        pick = random.Random(f"{site['name']}-{day}").sample(heads, min(5, len(heads)))
        tail.append([(site["most_read"], BOILER)] + [(f"{k + 1}. {h}", BOILER) for k, h in enumerate(pick)])
    for block in tail:
        lines += block + [("", BOILER)]
    for text in site["copyright"] + site["address"] + site["contact"]:
        if rng.random() < 0.95:
            add(text)
    return lines


def build_set(data: str, n_sites: int, seed: int = 16) -> list[dict]:
    """The labelled pages: [{id, source, lines: [(line, label)]}]."""
    rng = random.Random(seed)
    news = [r["text"] for r in read_records(os.path.join(data, "ko_news_sample.jsonl"))]
    reviews = [r["text"] for r in read_records(os.path.join(data, "ko_reviews_sample.jsonl"))]
    n_news = max(1, round(n_sites * len(news) / (len(news) + len(reviews))))
    sites = [make_site(rng, i, "news" if i < n_news else "reviews") for i in range(n_sites)]
    assigned: dict[int, list[str]] = defaultdict(list)
    # Sites of very different sizes: weights from a skewed distribution.
    weights = [rng.paretovariate(1.5) for _ in sites]
    for kind, texts in (("news", news), ("reviews", reviews)):
        ids = [i for i, s in enumerate(sites) if s["kind"] == kind]
        w = [weights[i] for i in ids]
        for text in texts:
            assigned[rng.choices(ids, w)[0]].append(text)
    pages = []
    for i, site in enumerate(sites):
        texts = assigned[i]
        bodies = [paragraphs(t, rng) for t in texts]
        # Headlines of the site: the first paragraph's first 40 characters of some of its articles.
        site["headlines"] = [b[0][:40].rstrip() for b in bodies[:15] if b]
        for k, body in enumerate(bodies):
            pages.append({"id": f"s{i:02d}-{k:05d}", "source": f"site{i:02d}", "lines": page(site, body, k, rng)})
    return pages


def text_of(p: dict) -> str:
    return "\n".join(line for line, _ in p["lines"])


# ------------------------------------------------------------------------------------------------ evaluation

def removed_flags(lines: list[str], new_text: str) -> list[bool]:
    """Which non-blank original lines are gone from new_text (line_dedup only deletes whole lines)."""
    new = [line for line in new_text.split("\n") if line != ""]
    flags, j = [], 0
    for line in lines:
        if line == "":
            flags.append(False)
            continue
        if j < len(new) and new[j] == line:
            flags.append(False)
            j += 1
        else:
            flags.append(True)
    assert j == len(new), "the new text is not a subsequence of the old one"
    return flags


def score(pages: list[dict], new_texts: dict[str, str]) -> dict:
    total, removed = Counter(), Counter()
    removed_examples: dict[str, Counter] = defaultdict(Counter)
    missed: Counter = Counter()
    for p in pages:
        lines = [line for line, _ in p["lines"]]
        flags = removed_flags(lines, new_texts[p["id"]])
        for (line, label), gone in zip(p["lines"], flags):
            if line == "":
                continue
            total[label] += 1
            if gone:
                removed[label] += 1
                if label != BOILER:
                    removed_examples[label][line[:60]] += 1
            elif label == BOILER:
                missed[re.sub(r"\d+", "0", line[:30])] += 1
    tp = removed[BOILER]
    all_removed = sum(removed.values())
    return {"precision": tp / all_removed if all_removed else 1.0, "recall": tp / total[BOILER],
            "total": dict(total), "removed": dict(removed),
            "false": {k: v.most_common(5) for k, v in removed_examples.items()}, "missed": missed.most_common(12)}


def reference(texts: dict[str, str], min_docs: int, min_chars: int, keep_first: bool) -> dict[str, str]:
    """Pure-Python replica of line_dedup's counting: distinct texts per unit hash, first = lowest text MD5."""
    import hashlib

    docs_of: dict[int, set] = defaultdict(set)
    key = {i: hashlib.md5(t.encode("utf-8")).digest() for i, t in texts.items()}
    for i, t in texts.items():
        for h in unit_hashes(t, min_chars):
            docs_of[h].add(key[i])
    frequent = {h: min(ks) for h, ks in docs_of.items() if len(ks) >= min_docs}
    out = {}
    for i, t in texts.items():
        remove = [h for h, _ in units(t, min_chars) if h in frequent and not (keep_first and frequent[h] == key[i])]
        out[i] = remove_units(t, remove, min_chars)[0]
    return out


def spark_line_dedup(spark, texts: dict[str, str], sources: dict[str, str], **params) -> dict[str, str]:
    from dps.config import InputConfig, JobConfig, OutputConfig
    from dps.dedup.lines import line_dedup

    config = JobConfig(source="bench", input=InputConfig(paths=("x",), id_column="id", source_column="source"),
                       output=OutputConfig(path="x"), stages=(), seed=1)
    rows = [(i, sources[i], t, "kept", None, None) for i, t in texts.items()]
    df = spark.createDataFrame(rows, "id string, source string, text string, dps_status string, dps_reason string, "
                                     "dps_raw string").repartition(4)
    return {r["id"]: r["text"] for r in line_dedup(df, config=config, **params).select("id", "text").collect()}


def throughput(config_path: str, jsonl: str, work: str, runs: int, cores: int) -> dict[str, float]:
    from dps.config import load_config
    from dps.pipeline import run
    from dps.plan import plan
    from dps.spark.session import build_session

    mb = os.path.getsize(jsonl) / 1e6
    base = load_config(config_path, ["input.paths=" + json.dumps([jsonl]), f"output.path={work}/out",
                                     "output.rejected_path=null", f"spark.master=local[{cores}]"])
    names = [s.name for s in base.stages]
    if "line_dedup" not in names:
        # configs/korean_web.yaml ships it commented out: measure it where its comment puts it, with its defaults.
        import dataclasses

        from dps.config import StageSpec

        at = names.index("hangul_ratio") if "hangul_ratio" in names else len(names)
        stages = (*base.stages[:at], StageSpec("line_dedup", {}, f"stages[{at}]"), *base.stages[at:])
        base = dataclasses.replace(base, stages=stages)
    with_plan = plan(base)
    from dps.plan import Plan

    without_plan = Plan(base, tuple(s for s in with_plan.stages if s.name != "line_dedup"))
    spark = build_session(base)
    best: dict[str, float] = {}
    plans = [("with line_dedup", with_plan), ("without line_dedup", without_plan)]
    run(base, spark, job_plan=without_plan, echo=lambda m: None)  # warm-up: JIT, Python workers
    for k in range(runs):
        for label, job_plan in (plans if k % 2 == 0 else plans[::-1]):
            t0 = time.time()
            report = run(base, spark, job_plan=job_plan, echo=lambda m: None)
            wall = time.time() - t0
            best[label] = min(best.get(label, wall), wall)
            print(f"  {label:<20} run {k + 1}: {wall:6.1f} s  {mb / wall:5.2f} MB/s  "
                  f"kept {report.totals()['kept']:,}  {report.invariant()[1]}")
    spark.stop()
    return {label: mb / wall for label, wall in best.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DATA_DIR)
    ap.add_argument("--work", default="/tmp/dps_bench_line_dedup")
    ap.add_argument("--sites", type=int, default=60)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "korean_web.yaml"))
    ap.add_argument("--skip-throughput", action="store_true")
    args = ap.parse_args()
    work = scratch_folder(args.work)

    pages = build_set(args.data, args.sites)
    texts = {p["id"]: text_of(p) for p in pages}
    sources = {p["id"]: p["source"] for p in pages}
    jsonl = os.path.join(work, "pages.jsonl")
    with open(jsonl, "w", encoding="utf-8") as fh:
        for p in pages:
            fh.write(json.dumps({"id": p["id"], "source": p["source"], "text": texts[p["id"]]}, ensure_ascii=False)
                     + "\n")
    labels = Counter(label for p in pages for line, label in p["lines"] if line)
    print(f"set: {len(pages):,} pages of {args.sites} sites, {os.path.getsize(jsonl) / 1e6:.1f} MB "
          f"({jsonl}); non-blank lines: " + ", ".join(f"{k} {v:,}" for k, v in sorted(labels.items())))

    from dps.dedup.lines import line_dedup
    import inspect

    defaults = {n: p.default for n, p in inspect.signature(line_dedup).parameters.items()
                if p.kind is p.KEYWORD_ONLY and n not in ("config", "index", "min_sources")}
    print(f"\n== sweep (pure-Python replica of the stage's counting); defaults {defaults}")
    print(f"{'min_docs':>8} {'min_chars':>9} {'keep_first':>10} {'precision':>9} {'recall':>7}  removed "
          f"content / repeated")
    for min_docs in (5, 10, 20):
        for min_chars in (5, 10, 15):
            for keep_first in (False, True):
                if keep_first and (min_chars != defaults["min_chars"]):
                    continue
                s = score(pages, reference(texts, min_docs, min_chars, keep_first))
                mark = "  <- defaults" if (min_docs, min_chars, keep_first) == (
                    defaults["min_docs"], defaults["min_chars"], defaults["keep_first"]) else ""
                print(f"{min_docs:>8} {min_chars:>9} {str(keep_first):>10} {s['precision']:>9.4f} "
                      f"{s['recall']:>7.4f}  {s['removed'].get(CONTENT, 0):,} / {s['removed'].get(REPEAT, 0):,}"
                      f"{mark}")

    print("\n== line_dedup in Spark (local mode), default parameters")
    from dps.config import JobConfig, InputConfig, OutputConfig, SparkConfig
    from dps.spark.session import build_session

    spark = build_session(JobConfig(source="bench", input=InputConfig(paths=("x",)), output=OutputConfig(path="x"),
                                    stages=(), spark=SparkConfig(master=f"local[{args.cores}]", driver_memory="2g")))
    t0 = time.time()
    new = spark_line_dedup(spark, texts, sources)
    wall = time.time() - t0
    ref = reference(texts, defaults["min_docs"], defaults["min_chars"], defaults["keep_first"])
    same = sum(new[i] == ref[i] for i in texts)
    s = score(pages, new)
    print(f"stage alone: {wall:.1f} s; identical to the Python replica on {same:,} of {len(texts):,} pages")
    print(f"boilerplate lines {s['total'][BOILER]:,}, removed {s['removed'].get(BOILER, 0):,}; content lines "
          f"{s['total'][CONTENT]:,}, removed {s['removed'].get(CONTENT, 0):,}; legitimately repeated lines "
          f"{s['total'].get(REPEAT, 0):,}, removed {s['removed'].get(REPEAT, 0):,}")
    print("  boilerplate lines kept (most frequent shapes, digits as 0): "
          + "; ".join(f"{n}x {t!r}" for t, n in s["missed"]))
    for kind, examples in s["false"].items():
        print(f"  {kind} lines removed (most frequent): " + "; ".join(f"{n}x {t!r}" for t, n in examples))
    raw = {}
    for name in ("ko_news_sample.jsonl", "ko_reviews_sample.jsonl"):
        for r in read_records(os.path.join(args.data, name)):
            raw[r["id"]] = r["text"]
    raw_new = reference(raw, defaults["min_docs"], defaults["min_chars"], defaults["keep_first"])
    raw_lines = sum(sum(1 for line in t.split("\n") if line) for t in raw.values())
    raw_removed = sum(sum(removed_flags(raw[i].split("\n"), raw_new[i])) for i in raw)
    print(f"shared data as it is (no templates): {raw_removed:,} of {raw_lines:,} lines removed "
          f"({raw_removed / raw_lines:.3%}) from {sum(raw[i] != raw_new[i] for i in raw):,} of {len(raw):,} documents")
    spark.stop()

    results = {"precision": s["precision"], "recall": s["recall"]}
    if not args.skip_throughput:
        print(f"\n== whole chain ({os.path.relpath(args.config, ROOT)}), local[{args.cores}], best of {args.runs} "
              f"after a warm-up run")
        rates = throughput(args.config, jsonl, work, args.runs, args.cores)
        drop = 1 - rates["with line_dedup"] / rates["without line_dedup"]
        print(f"throughput: with {rates['with line_dedup']:.2f} MB/s, without {rates['without line_dedup']:.2f} MB/s"
              f", drop {drop:.1%}")
        results["drop"] = drop

    print("\n== targets")
    print(f"boilerplate line recall    {results['recall']:.4f}  (>= 0.95)  "
          f"{'met' if results['recall'] >= 0.95 else 'NOT met'}")
    print(f"boilerplate line precision {results['precision']:.4f}  (>= 0.98)  "
          f"{'met' if results['precision'] >= 0.98 else 'NOT met'}")
    if "drop" in results:
        print(f"whole-chain throughput drop {results['drop']:.1%}  (<= 15 %)  "
              f"{'met' if results['drop'] <= 0.15 else 'NOT met'}")


if __name__ == "__main__":
    main()
