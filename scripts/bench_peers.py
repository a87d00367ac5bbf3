#!/usr/bin/env python3
"""dps side by side with datatrove, the strongest peer: MinHash dedup, exact dedup and the Gopher + PII text chain.

    python scripts/bench_peers.py [--data ../shared/data] [--work /tmp/dps_bench_peers] [--sizes 200,1000]
                                  [--corpora data,dup] [--jobs minhash,exact,text] [--runs 1] [--out FILE.json]

datatrove is not a dps dependency: the script makes its own venv for it in --work (`python3.11 -m venv`, then
datatrove==0.10.1 from PyPI with the few packages the jobs below import, pinned in DATATROVE_PINS; not
`datatrove[processing]`, which brings nltk, fasttext, trafilatura and more that these jobs never call). The venv is
reused while it has those versions. Words: datatrove assigns Korean to its Kiwi
tokenizer, and its fallback WhitespaceTokenizer needs spaCy; both are heavy, and nltk's punkt needs a download. The
datatrove jobs are therefore given a whitespace word tokenizer (`str.split`, defined in this script and passed as
datatrove's `language=`): "datatrove 0.10.1 (whitespace words)". Korean eojeol are whitespace-separated, so this is
also what dps counts as words.

Corpora (written into --work, never into the repository, reused between runs):
- data: the files of --data as they are (~27 MB of news and reviews).
- dup (one per --sizes, MB): the data once, then copies of it until the size, each document of a copy perturbed with a
  strength s drawn from 1-20 % for that document: word replace / delete / swap with the next word, digit changes
  (each at rate s/2), and for multi-line pages a share s of the lines moved. About half of the copies stay
  near-duplicates of their source (character 5-gram Jaccard >= 0.8, spaces ignored, as minhash_dedup measures); the
  script prints the measured fraction on a sample. No copy equals its source, so exact dedup finds only the data's
  own duplicates. Fixed seed (--seed).
- cipher (one per --sizes): scripts/bench_dedup.py e2e's scaled corpus: copies of the data each under its own
  substitution cipher, so copies are not duplicates of each other (its generator is imported, not copied).

Jobs (--jobs), each run by both tools on every corpus:
- minhash: dps `stages: [exact_dedup, minhash_dedup]` vs datatrove's four MinHash steps (MinhashDedupSignature,
  MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter; 14 buckets x 8 hashes, word 5-grams, as its
  minhash_deduplication example). dps shingles characters (5-grams, spaces ignored) and verifies candidate pairs.
- exact: dps `[exact_dedup]` vs datatrove's ExactDedupSignature, ExactFindDedups, ExactDedupFilter on the text
  (dps's key collapses whitespace runs; datatrove hashes the raw text).
- text: dps `[gopher_quality, gopher_repetition, tag_pii]` vs datatrove's GopherQualityFilter, GopherRepetitionFilter
  and PIIFormatter. GopherQualityFilter gets the Korean thresholds of configs/korean_web.yaml where it has the rule
  (20 words, mean word length 2-8, ellipsis lines 0.5) and a short list of common standalone Korean words as stop
  words (its stop-word rule matches whole words; dps's counts particles and endings); PIIFormatter replaces e-mails
  and IPs only, tag_pii tags nine kinds with surrogates. Kept counts differ for these reasons.

dps runs are `dps run` with the stages (and their parameters) of configs/korean_web.yaml, its input and output
settings, local[2] with a 1 GB driver heap, as scripts/bench_scale.py runs it. datatrove runs with
LocalPipelineExecutor, tasks = workers = 2 (both cores; its bucket step 14 tasks on 2 workers), JsonlReader input and
uncompressed JsonlWriter output (the least work it can do there; dps writes zstd Parquet). Each run is a fresh process,
one at a time; recorded: wall time start to exit, peak RSS of its process tree (this script's own memory subtracted),
MB/s per core (input MB / wall / 2), kept documents. --runs N takes the median wall time of N runs. The speed-up is
datatrove wall / dps wall (> 1: dps is faster). Prints a markdown table and the targets of the issue (met / not met),
and writes everything to --out (default --work/peers.json).

Start it under `flock /tmp/dps-spark.lock` on shared machines.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (DATA_DIR, ROOT, data_files, link_folder, read_records, scratch_folder,  # noqa: E402
                     targets_table, write_jsonl_once)

# Only the standard library and _common at the top: the same file runs the datatrove jobs inside datatrove's venv,
# where dps and its dependencies are not installed.

# xxhash: its default MinHash hash; regex: its text utilities; orjson: JsonlReader and JsonlWriter; tokenizers:
# imported by datatrove.pipeline.dedup's __init__ (for its exact-substring steps), so every dedup step needs it.
DATATROVE_PINS = ("datatrove==0.10.1", "xxhash==3.8.2", "regex==2026.12.2", "orjson==3.13.0", "tokenizers==0.23.3")
PYTHON = "python3.11"
CORES = 2
JOBS = ("minhash", "exact", "text")
DPS_STAGES = {"minhash": ("exact_dedup", "minhash_dedup"), "exact": ("exact_dedup",),
              "text": ("gopher_quality", "gopher_repetition", "tag_pii")}
# Common standalone Korean words (adverbs, determiners, bound nouns, frequent verbs): datatrove's stop-word rule
# needs whole words, and its English list matches no Korean page.
KOREAN_STOP_WORDS = ("이", "그", "저", "수", "것", "더", "또", "및", "등", "잘", "안", "못", "좀", "다", "한", "할",
                     "있는", "있다", "하는", "했다", "있었다", "없는", "같은", "너무", "정말", "그리고", "하지만",
                     "그러나", "때문에", "위해", "대한", "통해", "많이", "이런", "그런", "있습니다", "합니다", "아주")
# Targets of the issue: (job, corpus, size MB or None for the data as is, minimum speed-up).
TARGETS = (("minhash", "dup", 200, 2.0), ("minhash", "dup", 1000, 2.0), ("exact", "data", None, 1.0),
           ("text", "dup", 200, 3.0), ("text", "data", None, 1.0))


# ---------------------------------------------------------------------------------------------- datatrove venv

def datatrove_python(work: str) -> str:
    """The python of the datatrove venv in `work`, made (or remade) when it lacks DATATROVE_PINS."""
    venv = os.path.join(work, "venv-" + DATATROVE_PINS[0].replace("==", "-"))
    python = os.path.join(venv, "bin", "python")
    check = ("import importlib.metadata as m, sys; "
             "sys.exit(any(m.version(p.split('==')[0]) != p.split('==')[1] for p in sys.argv[1:]))")
    if os.path.exists(python) and subprocess.run([python, "-c", check, *DATATROVE_PINS],
                                                 stderr=subprocess.DEVNULL).returncode == 0:
        return python
    print(f"making {venv} ({', '.join(DATATROVE_PINS)})", flush=True)
    subprocess.run(["rm", "-rf", venv], check=True)
    subprocess.run([PYTHON, "-m", "venv", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *DATATROVE_PINS], check=True)
    return python


# ------------------------------------------------------------------------------------------------------ corpora

_DIGIT = re.compile(r"\d")


def perturb(text: str, strength: float, rng: random.Random, pool: list[str]) -> str:
    """One perturbed copy of `text`: words replaced, deleted or swapped and digits changed at rate strength / 2,
    a share `strength` of the lines moved; never the text itself, never empty."""
    rate = strength / 2
    lines = text.split("\n")
    if len(lines) >= 3:
        for _ in range(round(strength * len(lines))):
            lines.insert(rng.randrange(len(lines)), lines.pop(rng.randrange(len(lines))))
    out_lines = []
    for line in lines:
        words = line.split(" ")
        out, i = [], 0
        while i < len(words):
            if not words[i] or rng.random() >= rate:  # an empty "word" (a double space) is left: no space-only edits
                out.append(words[i])
            else:
                op = rng.randrange(3)
                if op == 0:
                    out.append(rng.choice(pool))
                elif op == 2 and i + 1 < len(words) and words[i + 1]:  # not with a double space's "": space-only
                    out += [words[i + 1], words[i]]
                    i += 1
                # op 1 (or a swap at the end of a line): the word is deleted
            i += 1
        out_lines.append(" ".join(out))
    text2 = "\n".join(out_lines)
    text2 = _DIGIT.sub(lambda m: str(rng.randrange(10)) if rng.random() < rate else m.group(), text2)
    # Never the source itself, nor empty (datatrove's reader drops empty documents, dps keeps them)
    return text2 if text2.strip() and text2 != text else text + " " + rng.choice(pool)


def dup_copy(records: list[dict], copy: int, seed: int, folder: str) -> str:
    """Copy `copy` (>= 1) of the records, every document perturbed with its own strength; made once."""
    path = os.path.join(folder, f"copy-{copy:04d}.jsonl")
    if not os.path.exists(path):
        rng = random.Random(seed * 1_000_003 + copy)
        pool = [w for r in records[:2000] for w in r["text"].split() if len(w) >= 2][:50_000]
        write_jsonl_once(path, ({"id": f"{r.get('id')}-d{copy:04d}", "source": r.get("source"),
                       "text": perturb(r["text"], rng.uniform(0.01, 0.20), rng, pool)} for r in records))
    return path


def dup_corpus(records: list[dict], data: list[str], work: str, mb: float, seed: int) -> str:
    """The data, then perturbed copies up to `mb` MB (the last one cut at a line): the input folder."""
    folder = os.path.join(work, f"dup-seed{seed}")
    os.makedirs(folder, exist_ok=True)
    files, size, copy = list(data), sum(os.path.getsize(f) for f in data), 1
    while size < mb * 1e6:
        path = dup_copy(records, copy, seed, folder)
        if size + os.path.getsize(path) > mb * 1e6:  # the first lines of the copy, up to the size
            head = os.path.join(folder, f"copy-{copy:04d}-head-{mb:g}mb.jsonl")
            if not os.path.exists(head):
                budget = int(mb * 1e6 - size)
                with open(path, "rb") as src, open(head + ".tmp", "wb") as dst:
                    for line in src:
                        if budget <= 0:
                            break
                        dst.write(line)
                        budget -= len(line)
                os.replace(head + ".tmp", head)
            path = head
        files.append(path)
        size += os.path.getsize(path)
        copy += 1
    return link_folder(work, f"dup-{mb:g}mb", files)


def near_duplicate_share(records: list[dict], folder: str, sample: int = 400, seed: int = 0) -> tuple[float, int]:
    """The share of sampled perturbed documents whose character 5-gram Jaccard to their source is >= 0.8 (shingles
    as minhash_dedup makes them: normalized, spaces ignored)."""
    from bench_dedup import jaccard, ngram_set

    source = {str(r.get("id")): r["text"] for r in records}
    copies = []
    for path in sorted(glob.glob(os.path.join(folder, "*copy-*.jsonl")))[:2]:  # news and reviews, enough to sample
        copies += read_records(os.path.realpath(path))
    if not copies:
        return float("nan"), 0
    picked = random.Random(seed).sample(copies, min(sample, len(copies)))
    near = sum(jaccard(ngram_set(source[c["id"].rsplit("-d", 1)[0]], 5), ngram_set(c["text"], 5)) >= 0.8
               for c in picked)
    return near / len(picked), len(picked)


def cipher_corpus(data_dir: str, work: str, mb: float) -> str:
    """scripts/bench_dedup.py e2e's scaled corpus (cipher copies) of about `mb` MB: the input folder."""
    from bench_dedup import write_corpora

    _, parts = write_corpora(data_dir, os.path.join(work, "cipher"), mb)
    return link_folder(work, f"cipher-{mb:g}mb", parts)


def folder_mb(folder: str) -> float:
    return sum(os.path.getsize(os.path.realpath(f)) for f in glob.glob(os.path.join(folder, "*"))) / 1e6


# ------------------------------------------------------------------------------------------------------ dps runs

def dps_config(job: str, folder: str, out: str, path: str) -> str:
    """configs/korean_web.yaml's input, output and the job's stages (with their parameters there), local[2] with a
    1 GB driver heap; written as JSON (which YAML reads) to `path`."""
    from dps.config import load_yaml

    with open(os.path.join(ROOT, "configs", "korean_web.yaml"), encoding="utf-8") as fh:
        raw = load_yaml(fh.read(), "korean_web.yaml")
    named = {(e if isinstance(e, str) else next(iter(e))): e for e in raw["stages"]}
    config = {"input": {**raw["input"], "paths": [folder]},
              "output": {**raw["output"], "path": out, "rejected_path": out + "_rejected"},
              "seed": raw["seed"], "stages": [named.get(name, name) for name in DPS_STAGES[job]],
              "spark": {**raw["spark"], "master": f"local[{CORES}]", "driver_memory": "1g"}}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(config, fh, ensure_ascii=False, indent=1)
    return path


def dps_kept(out: str) -> int | None:
    report = os.path.join(out, "_dps_report.json")
    if not os.path.exists(report):
        return None
    with open(report, encoding="utf-8") as fh:
        return json.load(fh)["totals"]["kept"]


def datatrove_kept(out: str) -> int | None:
    files = glob.glob(os.path.join(out, "*.jsonl"))
    if not files:
        return None
    count = 0
    for path in files:
        with open(path, "rb") as fh:
            count += sum(1 for _ in fh)
    return count


def _own_rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed(command: list[str], log: str) -> tuple[int, float, float]:
    """Run `command` in a fresh process: (exit code, wall s, peak RSS MB of its process tree)."""
    from bench_text import TreeMonitor

    own = _own_rss()
    monitor = TreeMonitor()  # samples this process and its descendants; this process's own RSS is taken off
    monitor.start()
    started = time.time()
    with open(log, "w") as fh:
        code = subprocess.run(command, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT).returncode
    wall = time.time() - started
    monitor.stop()
    return code, wall, max(0, monitor.peak - own) / 2**20


def run_tool(tool: str, job: str, corpus: str, folder: str, work: str, python: str) -> dict:
    """One run of `tool` on one job and corpus, in a fresh process; its figures."""
    name = f"{tool}-{job}-{corpus}"
    out = os.path.join(work, "out", name)
    scratch = os.path.join(work, "tmp", name)
    for path in (out, out + "_rejected", scratch):
        subprocess.run(["rm", "-rf", path], check=True)
    os.makedirs(scratch)
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    log = os.path.join(work, "logs", name + ".log")
    if tool == "dps":
        config = dps_config(job, folder, out, os.path.join(scratch, "config.yaml"))
        command = [sys.executable, "-m", "dps.cli", "run", config]
    else:
        command = [python, os.path.abspath(__file__), "--datatrove-job", job, "--input", folder, "--output", out,
                   "--scratch", scratch]
    code, wall, rss = timed(command, log)
    kept = dps_kept(out) if tool == "dps" else datatrove_kept(out)
    subprocess.run(["rm", "-rf", scratch, out + "_rejected"], check=True)
    return {"exit": code, "wall_s": round(wall, 2), "peak_rss_mb": round(rss), "kept": kept, "log": log}


# ----------------------------------------------------------------------------------------------- datatrove jobs

def datatrove_job(job: str, input_folder: str, output: str, scratch: str, tasks: int = CORES) -> None:
    """One datatrove job, inside its venv (this script is started there with --datatrove-job)."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.word_tokenizers import WordTokenizer

    class WhitespaceWords(WordTokenizer):
        """Words split at whitespace; sentences split at line breaks (no nltk or spaCy data needed offline)."""

        def word_tokenize(self, text: str) -> list[str]:
            return text.split()

        def sent_tokenize(self, text: str) -> list[str]:
            return [s for s in text.split("\n") if s.strip()]

        def span_tokenize(self, text: str) -> list[tuple[int, int]]:
            return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]

    words = WhitespaceWords("ko")
    logs = os.path.join(scratch, "logs")

    def reader():
        return JsonlReader(input_folder, glob_pattern="*.jsonl", text_key="text", id_key="id")

    def writer():
        return JsonlWriter(output, compression=None)

    def step(name: str, pipeline: list, n: int = tasks, depends=None):
        return LocalPipelineExecutor(pipeline=pipeline, tasks=n, workers=tasks, depends=depends,
                                     logging_dir=os.path.join(logs, name))

    if job == "minhash":
        from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter, \
            MinhashDedupSignature
        from datatrove.pipeline.dedup.minhash import MinhashConfig
        from datatrove.utils.hashing import HashConfig

        config = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8, hash_config=HashConfig(precision=64))
        sigs, buckets, remove = (os.path.join(scratch, d) for d in ("signatures", "buckets", "remove_ids"))
        s1 = step("signatures", [reader(), MinhashDedupSignature(sigs, config=config, language=words)])
        s2 = step("buckets", [MinhashDedupBuckets(sigs, buckets, config=config)], config.num_buckets, s1)
        s3 = step("cluster", [MinhashDedupCluster(buckets, remove, config=config)], 1, s2)
        last = step("filter", [reader(), MinhashDedupFilter(remove), writer()], tasks, s3)
    elif job == "exact":
        from datatrove.pipeline.dedup.exact_dedup import ExactDedupConfig, ExactDedupFilter, ExactDedupSignature, \
            ExactFindDedups

        config = ExactDedupConfig(content_getter=lambda doc: doc.text)
        sigs, dups = os.path.join(scratch, "signatures"), os.path.join(scratch, "dups")
        s1 = step("signatures", [reader(), ExactDedupSignature(sigs, config=config, finder_workers=tasks)])
        s2 = step("find", [ExactFindDedups(sigs, dups, config=config)], tasks, s1)
        last = step("filter", [reader(), ExactDedupFilter(dups, config=config), writer()], tasks, s2)
    elif job == "text":
        from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
        from datatrove.pipeline.formatters import PIIFormatter

        quality = GopherQualityFilter(min_doc_words=20, max_doc_words=100_000, min_avg_word_length=2,
                                      max_avg_word_length=8, max_symbol_word_ratio=0.1, max_bullet_lines_ratio=0.9,
                                      max_ellipsis_lines_ratio=0.5, max_non_alpha_words_ratio=0.8, min_stop_words=2,
                                      stop_words=list(KOREAN_STOP_WORDS), language=words)
        last = step("text", [reader(), quality, GopherRepetitionFilter(language=words), PIIFormatter(), writer()])
    else:
        raise SystemExit(f"unknown job {job}")
    last.run()


# ------------------------------------------------------------------------------------------------------ results

def summarize(job: str, corpus: str, mb: float, runs: dict[str, list[dict]]) -> dict:
    """Both tools' runs of one job on one corpus: median wall, MB/s per core, peak RSS, kept, speed-up."""
    row = {"job": job, "corpus": corpus, "mb": round(mb, 1)}
    for tool, results in runs.items():
        ok = [r for r in results if r["exit"] == 0]
        wall = statistics.median(r["wall_s"] for r in ok) if ok else None
        row[tool] = {"exit": max(r["exit"] for r in results), "wall_s": wall,
                     "mb_s_per_core": round(mb / wall / CORES, 2) if wall else None,
                     "peak_rss_mb": max((r["peak_rss_mb"] for r in ok), default=None),
                     "kept": ok[-1]["kept"] if ok else None, "runs": results}
    walls = row["dps"]["wall_s"], row["datatrove"]["wall_s"]
    row["speedup"] = round(walls[1] / walls[0], 2) if all(walls) else None
    return row


def targets(rows: list[dict]) -> list[tuple[str, bool | None, str]]:
    """(target, met (None: not measured), figures)."""
    out = []
    for job, corpus, size, minimum in TARGETS:
        name = f"{job} {corpus}{f' {size} MB' if size else ''}: dps >= {minimum:g}x datatrove"
        row = next((r for r in rows if r["job"] == job and r["corpus"] == (f"{corpus}-{size:g}mb" if size else corpus)),
                   None)
        if row is None or row["speedup"] is None:
            out.append((name, None, "not run" if row is None else "a run failed"))
        else:
            out.append((name, row["speedup"] >= minimum, f"{row['speedup']:.2f}x"))
    return out


def markdown(rows: list[dict], checks) -> str:
    lines = ["| job | corpus | MB | dps wall s | datatrove wall s | dps speed-up | dps MB/s/core | datatrove MB/s/core "
             "| dps peak RSS MB | datatrove peak RSS MB | dps kept | datatrove kept |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def cell(value, fmt="{:,}"):
        return "-" if value is None else fmt.format(value)

    for r in rows:
        d, t = r["dps"], r["datatrove"]
        lines.append(f"| {r['job']} | {r['corpus']} | {r['mb']:,.0f} | {cell(d['wall_s'], '{:.1f}')} | "
                     f"{cell(t['wall_s'], '{:.1f}')} | {cell(r['speedup'], '{:.2f}x')} | "
                     f"{cell(d['mb_s_per_core'], '{:.2f}')} | {cell(t['mb_s_per_core'], '{:.2f}')} | "
                     f"{cell(d['peak_rss_mb'])} | {cell(t['peak_rss_mb'])} | {cell(d['kept'])} | {cell(t['kept'])} |")
    return "\n".join(lines + ["", targets_table(checks)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DATA_DIR)
    parser.add_argument("--work", default="/tmp/dps_bench_peers", help="venv, corpora and outputs (kept between runs)")
    parser.add_argument("--sizes", default="200,1000", help="sizes of the dup and cipher corpora, MB, comma-separated")
    parser.add_argument("--corpora", default="data,dup", help="comma-separated: data, dup, cipher")
    parser.add_argument("--jobs", default=",".join(JOBS), help="comma-separated: minhash, exact, text")
    parser.add_argument("--runs", type=int, default=1, help="runs per tool, job and corpus (median wall time)")
    parser.add_argument("--seed", type=int, default=19, help="of the dup corpus's perturbations")
    parser.add_argument("--out", default=None, help="the JSON results (default: --work/peers.json)")
    # Internal: run one datatrove job (this file, started with the datatrove venv's python).
    parser.add_argument("--datatrove-job", choices=JOBS, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.datatrove_job:
        datatrove_job(args.datatrove_job, args.input, args.output, args.scratch)
        return

    sys.path.insert(0, ROOT)
    jobs = [j for j in args.jobs.split(",") if j]
    corpora = [c for c in args.corpora.split(",") if c]
    sizes = [float(s) for s in args.sizes.split(",") if s]
    unknown = [j for j in jobs if j not in JOBS] + [c for c in corpora if c not in ("data", "dup", "cipher")]
    if unknown:
        sys.exit(f"unknown job or corpus: {', '.join(unknown)}")
    work = scratch_folder(args.work, fresh=False)  # the venv and corpora are kept between runs
    data = data_files(args.data)
    records = [r for f in data for r in read_records(f)]
    if not records:
        sys.exit(f"no records in {args.data}/*.jsonl")
    python = datatrove_python(work)
    inputs = []
    if "data" in corpora:
        inputs.append(("data", link_folder(work, "data", data)))
    for mb in sizes:
        if "dup" in corpora:
            folder = dup_corpus(records, data, work, mb, args.seed)
            share, n = near_duplicate_share(records, folder)
            print(f"dup-{mb:g}mb: {share:.1%} of {n} sampled perturbed documents have character 5-gram Jaccard >= "
                  "0.8 to their source", flush=True)
            inputs.append((f"dup-{mb:g}mb", folder))
        if "cipher" in corpora:
            inputs.append((f"cipher-{mb:g}mb", cipher_corpus(args.data, work, mb)))
    del records
    rows = []
    for corpus, folder in inputs:
        mb = folder_mb(folder)
        for job in jobs:
            runs: dict[str, list[dict]] = {"dps": [], "datatrove": []}
            for _ in range(args.runs):
                for tool in runs:
                    runs[tool].append(run_tool(tool, job, corpus, folder, work, python))
                    print(json.dumps({"tool": tool, "job": job, "corpus": corpus, "mb": round(mb, 1),
                                      **runs[tool][-1]}), flush=True)
            rows.append(summarize(job, corpus, mb, runs))
    checks = targets(rows)
    out = args.out or os.path.join(work, "peers.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"datatrove": DATATROVE_PINS, "cores": CORES, "rows": rows, "targets": checks}, fh, indent=1)
    print(markdown(rows, checks))


if __name__ == "__main__":
    main()
