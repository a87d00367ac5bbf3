"""Readers that turn any input (JSONL, .gz, .zst, Parquet) into a marked DataFrame: no record is ever dropped."""

from __future__ import annotations

import glob
import json
import os
import re

from dps.config import ConfigError, InputConfig, is_remote
from dps.spark.io import MARK_COLUMNS, RAW, REASON, STATUS

# How Spark's JSON reader writes a non-string value it reads into a string field: a number, true/false, NaN or
# Infinity as its token, an object or array as JSON. Only texts starting like that need the costlier checks.
_STRINGIFIED_STARTS = ("-", *"0123456789", "t", "f", "N", "I", "{", "[")

_JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".jsonl.zst", ".json.zst", ".gz", ".zst")


def detect_format(cfg: InputConfig) -> str:
    if cfg.format != "auto":
        return cfg.format
    files = []
    for p in cfg.paths:
        if is_remote(p):
            files.append(p)
            continue
        for match in glob.glob(p):
            if os.path.isdir(match):
                files += [os.path.join(r, f) for r, _, fs in os.walk(match) for f in fs if not f.startswith(("_", "."))]
            else:
                files.append(match)
    kinds = {"parquet" if f.endswith(".parquet") else "jsonl" if f.endswith(_JSONL_SUFFIXES) else "?" for f in files}
    if kinds == {"parquet"}:
        return "parquet"
    if kinds == {"jsonl"}:
        return "jsonl"
    raise ConfigError(f"input.format: cannot tell the format of {', '.join(cfg.paths)} from file names "
                      f"(found {', '.join(sorted(kinds))}); set input.format to jsonl or parquet")


def read_marked(spark, cfg: InputConfig):
    """Returns (marked DataFrame, input-count DataFrame, input columns)."""
    fmt = detect_format(cfg)
    return _read_parquet(spark, cfg) if fmt == "parquet" else _read_jsonl(spark, cfg)


def _json_path(name: str) -> str:
    return "$." + name if name.replace("_", "").isalnum() else "$['" + name.replace("'", "\\'") + "']"


def _read_jsonl(spark, cfg: InputConfig):
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    lines = spark.read.text(list(cfg.paths)).where(F.trim("value") != "")  # a blank line is not a record
    if cfg.schema:
        try:
            schema = T._parse_datatype_string(cfg.schema)
        except Exception as exc:  # Spark's parser error names the bad token
            raise ConfigError(f"input.schema: not a valid Spark DDL schema: {str(exc).splitlines()[0]}") from None
    else:
        schema = (spark.read.option("samplingRatio", cfg.schema_sampling_ratio)
                  .option("mode", "DROPMALFORMED").json(list(cfg.paths)).schema)
    fields = [f for f in schema.fields if f.name != "_corrupt_record"]
    names = [f.name for f in fields]
    if not names:
        raise ConfigError(f"input.paths: no readable JSON record in {', '.join(cfg.paths)}")
    if cfg.text_column not in names:
        raise ConfigError(f"input.text_column: the input has no field '{cfg.text_column}' "
                          f"(fields: {', '.join(names) or 'none'})")
    # The text field is read as a string whatever was inferred; records whose text is not a JSON string are
    # quarantined below rather than silently stringified.
    fields = [T.StructField(f.name, T.StringType(), True) if f.name == cfg.text_column else f for f in fields]
    schema = T.StructType(fields)

    # One JSON parse per line (from_json). The costlier variant parse runs only on the rare lines that need it:
    # corrupt records (to tell malformed JSON from valid non-objects) and lines where the text key is followed by
    # something other than a string (Spark would silently stringify a number or an object): the regex looks for
    # those only in lines whose parsed text starts like a stringified value.
    corrupt = "_dps_corrupt"
    with_corrupt = T.StructType(fields + [T.StructField(corrupt, T.StringType(), True)])
    parsed_row = F.from_json("value", with_corrupt, {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": corrupt})
    key = re.escape(json.dumps(cfg.text_column))
    text_type = F.expr(f"schema_of_variant(variant_get(try_parse_json(value), '{_json_path(cfg.text_column)}'))")
    is_valid_json = F.expr("try_parse_json(value) IS NOT NULL")
    r = F.col("r")
    reason = (F.when(r[corrupt].isNotNull() & (F.substring(F.ltrim("value"), 1, 1) == "{"),
                     F.lit("read:malformed_json"))
              .when(r[corrupt].isNotNull() & is_valid_json, F.lit("read:not_an_object"))
              .when(r[corrupt].isNotNull(), F.lit("read:malformed_json"))
              .when(r[cfg.text_column].isNull(), F.lit("read:missing_text"))
              .when(F.substring(r[cfg.text_column], 1, 1).isin(*_STRINGIFIED_STARTS)
                    & F.col("value").rlike(key + r'\s*:\s*[^"\s]') & (text_type != "STRING"),
                    F.lit("read:text_not_string")))
    parsed = lines.select(parsed_row.alias("r"), "value").select("r", reason.alias(REASON), "value")
    marked = parsed.select(
        *[F.when(F.col(REASON).isNull(), F.col("r")[n]).alias(n) for n in names],
        F.when(F.col(REASON).isNull(), F.lit("kept")).otherwise(F.lit("quarantined")).alias(STATUS),
        F.col(REASON),
        F.when(F.col(REASON).isNotNull(), F.col("value")).alias(RAW),
    )
    return marked, lines, names


def _read_parquet(spark, cfg: InputConfig):
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    df = spark.read.parquet(*cfg.paths)
    names = df.columns
    if cfg.text_column not in names:
        raise ConfigError(f"input.text_column: the input has no column '{cfg.text_column}' "
                          f"(columns: {', '.join(names)})")
    if not isinstance(df.schema[cfg.text_column].dataType, T.StringType):
        raise ConfigError(f"input.text_column: column '{cfg.text_column}' has type "
                          f"{df.schema[cfg.text_column].dataType.simpleString()}, expected string")
    clash = [n for n in names if n in MARK_COLUMNS]
    if clash:
        raise ConfigError(f"input: columns {', '.join(clash)} are reserved for dps's own marks")
    missing = F.col(cfg.text_column).isNull()
    marked = df.select(
        *names,
        F.when(missing, F.lit("quarantined")).otherwise(F.lit("kept")).alias(STATUS),
        F.when(missing, F.lit("read:missing_text")).otherwise(F.lit(None).cast("string")).alias(REASON),
        F.lit(None).cast("string").alias(RAW),
    )
    return marked, df, names
