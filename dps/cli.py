"""`dps run | profile | validate | explain | check-stage | show | diff | index | check-env`: the command line.
jobs/*.py only call `main`."""

from __future__ import annotations

import argparse
import json
import re
import sys

from dps import __version__
from dps.config import ConfigError

EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dps", description="Korean LLM-pretraining data pipeline on Spark.")
    parser.add_argument("--version", action="version", version=f"dps {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the job described by a YAML config")
    run.add_argument("config", help="YAML config file")
    run.add_argument("--run-id", help="nightly runs: the run's id (e.g. the crawl date); output goes to "
                                      "<output.path>/run_id=<id>/ and, with index.path set, the run is deduplicated "
                                      "against every earlier run in the index and added to it")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                     help="override a config value (repeatable), e.g. --set output.path=out "
                          "--set stages.gopher_quality.min_words=20")
    run.add_argument("--wait", nargs="?", const=0.0, default=None, type=float, metavar="SECONDS",
                     help="if another dps run holds the output or index, wait for it (at most SECONDS; "
                          "no value: as long as it takes) instead of refusing")
    run.add_argument("--replace-unknown-output", action="store_true",
                     help="replace output.path / output.rejected_path even if dps did not write that folder "
                          "(everything in it is deleted)")
    run.add_argument("--without-index", action="store_true",
                     help="run a night without the dedup index its output root was written with (its output is "
                          "then not deduplicated against earlier nights)")
    run.add_argument("--slices", type=int, metavar="N",
                     help="a large first run as N runs against index.path, one after the other: the input files, "
                          "sorted by path, cut into N slices of about equal size, run as <run-id>-0001 .. (run id "
                          "default: slice); a rerun skips the committed slices (docs/nightly.md)")

    profile = sub.add_parser("profile", help="per-source distributions of every filter metric, with thresholds")
    profile.add_argument("config", help="YAML config file")
    profile.add_argument("--sample-fraction", default="1.0", metavar="F",
                         help="profile this fraction of the records, chosen by a hash seeded with the config's "
                              "seed (default 1.0: all)")
    profile.add_argument("--out", default=None, metavar="DIR",
                         help="folder for profile.json, the PNGs and profile.html (default: <output.path>_profile)")
    profile.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                         help="override a config value (repeatable), e.g. --set stages.gopher_quality.min_words=30")

    validate = sub.add_parser("validate", help="check a config without starting Spark")
    validate.add_argument("config")
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE")

    explain = sub.add_parser("explain", help="describe a stage's parameters, defaults and reasons")
    explain.add_argument("stage", nargs="?", help="stage name (omit to list all stages)")

    check_stage = sub.add_parser("check-stage", help="run the stage contract on a stage (module.path:function, an "
                                                     "entry point name, or a built-in stage)")
    check_stage.add_argument("stage", help="e.g. my_team.filters:toxicity")

    show = sub.add_parser(
        "show", help="print rejected (or kept) documents of a finished run with their reason and evidence",
        description="Print rejected (or kept) documents of a finished run: status, reason, id, source and every "
                    "other column the output holds (dup_of for duplicates, the raw line of unreadable records), "
                    "then the text. Reads the Parquet shards with pyarrow on this machine (no Spark): local or "
                    "mounted folders only; memory stays at one batch of rows, and reading stops after -n documents. "
                    "Documents come in output order (shard by shard, sorted by reason and text within a shard).")
    show.add_argument("output", help="the run's output folder (output.path) or its rejected folder")
    show.add_argument("--reason", metavar="R", help="a reason (gopher_quality:too_few_words), a stage (all its "
                                                    "reasons) or a status (filtered, duplicate, quarantined)")
    show.add_argument("--source", metavar="S", help="only documents of this source (input.source_column)")
    show.add_argument("-n", dest="limit", type=int, default=20, metavar="N",
                      help="documents to show (default 20; 0: all)")
    show.add_argument("--kept", action="store_true", help="kept documents instead of rejected ones")
    show.add_argument("--jsonl", action="store_true", help="write one JSON object per document (every column, the "
                                                           "whole text) for labelling; the summary goes to stderr")
    show.add_argument("--chars", type=int, default=600, metavar="C",
                      help="cut each text after C characters (default 600; 0: whole)")

    diff = sub.add_parser(
        "diff", help="documents one finished run kept and the other did not, by reason and source, with examples",
        description="Compare two finished runs (e.g. before and after changing a threshold): the documents kept in "
                    "one and not the other, counted by the reason the other run gave them (from its rejected "
                    "output) and by source, with examples. Documents are matched by the id column when both runs "
                    "name the same one, else by a hash of the kept text (then a document whose text a map stage "
                    "after its rejecting stage changed is not found in the rejected output). Reads the Parquet "
                    "shards with pyarrow on this machine (no Spark; local or mounted folders): both kept outputs "
                    "once (the key column only), both rejected outputs once. Memory: 8 bytes per kept document of "
                    "each run (about 160 MB for two runs of 10 million) plus one batch; over 250 million kept "
                    "documents it asks for --sample, or compare with Spark.")
    diff.add_argument("run_a", metavar="RUN_A", help="output folder (output.path) of the first run")
    diff.add_argument("run_b", metavar="RUN_B", help="output folder of the second run")
    diff.add_argument("--examples", type=int, default=3, metavar="K", help="examples per reason (default 3)")
    diff.add_argument("--sample", type=float, default=1.0, metavar="F",
                      help="compare only the documents whose key hash falls in this fraction of the hash range "
                           "(the same documents in both runs; default 1: all)")
    diff.add_argument("--chars", type=int, default=300, metavar="C", help="cut examples after C characters")

    index = sub.add_parser("index", help="inspect the dedup index of nightly runs")
    index_sub = index.add_subparsers(dest="index_command", required=True)
    stats = index_sub.add_parser("stats", help="documents and runs the index holds")
    stats.add_argument("path", help="the index folder (index.path of the config)")
    stats.add_argument("--json", action="store_true", help="print JSON instead of a table")
    check = index_sub.add_parser("check", help="compare the index with the published nights (exit 1 on problems)")
    check.add_argument("path", help="the index folder (index.path of the config)")
    check.add_argument("output", help="the output root of the nightly runs (output.path of the config)")

    check_env = sub.add_parser("check-env", help="check what the executors' Python workers import (run it with "
                                                 "spark-submit jobs/check_env.py on a cluster)")
    check_env.add_argument("--master", default="local[2]", help="Spark master when not under spark-submit")
    check_env.add_argument("--tasks", type=int, default=None, help="probe tasks (default: 2 x default parallelism)")
    check_env.add_argument("--no-kiwi", dest="kiwi", action="store_false", help="skip loading Kiwi's model")
    check_env.add_argument("--json", metavar="PATH", help="also write every probe's details to PATH (driver side)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        print(f"dps: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # `dps explain | head`
        return 0
    except KeyboardInterrupt:
        print("dps: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from dps.spark.read import read_error_message

        message = _spark_user_error(exc) or read_error_message(exc)
        if message is None:
            raise
        print(f"dps: error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR


def _dispatch(args) -> int:
    from dps import registry
    from dps.config import load_config

    if args.command == "explain":
        print(registry.explain(args.stage) if args.stage else registry.list_stages())
        return 0
    if args.command == "check-env":
        return _check_env(args)
    if args.command == "check-stage":
        return _check_stage(args.stage)
    if args.command == "diff":
        from dps.diff import diff
        from dps.run_output import open_run

        diff(open_run(args.run_a, "RUN_A"), open_run(args.run_b, "RUN_B"), examples=args.examples,
             sample=args.sample, chars=args.chars)
        return 0
    if args.command == "show":
        from dps.run_output import open_run
        from dps.show import show

        show(open_run(args.output), reason=args.reason, source=args.source, limit=args.limit, kept=args.kept,
             jsonl=args.jsonl, chars=args.chars)
        return 0
    if args.command == "index":
        from dps.dedup.index import index_check, index_stats

        if args.index_command == "check":
            ok, text = index_check(args.path, args.output)
            print(text)
            return 0 if ok else 1
        print(index_stats(args.path, as_json=args.json))
        return 0
    overrides = list(args.overrides)
    if getattr(args, "run_id", None) is not None:
        overrides.append(f"run_id={json.dumps(args.run_id)}")  # quoted: a date stays a string
    if args.command == "run" and args.slices is not None:
        from dps import bulk

        return bulk.main(args, overrides)
    if args.command == "profile":
        overrides.append("index=null")  # a profile reads no dedup index, so a config with one needs no run id
    config = load_config(args.config, overrides)
    from dps.pipeline import run
    from dps.plan import plan

    if args.command == "profile":
        from dps.profile import check_sample_fraction, profile, summary_table

        fraction = check_sample_fraction(args.sample_fraction)  # before Spark starts
        doc, html = profile(config, sample_fraction=fraction, out_dir=args.out)
        print(summary_table(doc))
        print(f"\nprofile: {html}")
        return 0
    job_plan = plan(config)
    if args.command == "validate":
        print(f"{args.config}: OK\n{job_plan.describe()}")
        return 0
    if args.wait is not None and (args.wait < 0 or args.wait != args.wait):
        raise ConfigError(f"--wait: expected a number of seconds >= 0, got {args.wait}")
    from dps.outputs import RunOptions

    report = run(config, options=RunOptions(wait=args.wait, replace_unknown_output=args.replace_unknown_output,
                                            without_index=args.without_index))
    print(report.table())
    holds, _ = report.invariant()
    return 0 if holds else 1


def _check_stage(name: str) -> int:
    """The contract the project runs on its built-in stages (tests/test_registry.py), on any stage; exit 1 when the
    stage breaks it, 2 when it cannot be loaded."""
    from dps.registry import get_stage
    from dps.stage_check import check_stage, contract_summary

    stage = get_stage(name, "check-stage")
    print(f"{stage.name}: {stage.kind} stage" + (f", from {stage.origin}" if stage.origin else " (built in)"))
    print(f"checked: {contract_summary(stage)}")
    problems = check_stage(stage)
    if problems:
        print(f"FAILED: {len(problems)} problem{'s' if len(problems) > 1 else ''}:")
        print("\n".join(f"  {p}" for p in problems))
        return 1
    print(f"OK: {stage.name} meets the stage contract; a config names it as `- {stage.name}`")
    return 0


def _check_env(args) -> int:
    from dps.config import JobConfig, InputConfig, OutputConfig, SparkConfig
    from dps.envcheck import check, summary
    from dps.spark.session import build_session

    if args.tasks is not None and args.tasks < 1:
        raise ConfigError(f"--tasks: must be >= 1, got {args.tasks}")
    config = JobConfig(source="check-env", input=InputConfig(paths=("-",)), output=OutputConfig(path="-"),
                       stages=(), spark=SparkConfig(master=args.master, app_name="dps-check-env", driver_memory="1g"))
    spark = build_session(config)
    try:
        result = check(spark, args.tasks, args.kiwi)
    finally:
        spark.stop()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    print(summary(result))
    return 0 if not result["problems"] else 1


def _spark_user_error(exc: Exception) -> str | None:
    """Spark errors a user can fix (a missing path on HDFS/S3, a bad schema) as one line, without the Java stack."""
    try:
        from pyspark.errors import AnalysisException
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, AnalysisException):
        first = str(exc).strip().splitlines()[0]
        return first
    text = str(exc)
    # Conditions of the machine, not bugs: the run failed before its commit, so the previous output is untouched.
    for needle, advice in (("No space left on device", "free disk space (or point spark.local.dir and the output at "
                                                        "a larger disk) and rerun"),
                           ("Permission denied", "make the output folder writable and rerun"),
                           ("Read-only file system", "write the output to a writable file system and rerun")):
        if needle in text:
            where = re.search(r"(?:file:|hdfs://|s3a?://)\S+", text)
            return (f"{needle.lower()}{' (' + where.group(0).rstrip(').,;') + ')' if where else ''}: {advice}; "
                    f"nothing was committed, the previous output is untouched")
    return None


if __name__ == "__main__":
    sys.exit(main())
