"""Readers that turn any input (JSONL, .gz, .zst, Parquet) into a marked DataFrame: no record is ever dropped.

JSONL, per non-blank line (a line of whitespace only is blank, not a record):
- cheap JVM tests on every line: size (`input.max_record_mb`: larger lines are never JSON-parsed), first and last
  character, `}{`-like pairs, `\\u` escapes; the costlier checks (a second parse, a regex, a variant parse) run only
  on the lines these tests single out;
- one schema inference pass over the well-formed records only (JSON objects whose text field is a string), so a
  quarantined record never adds a column; a duplicate or case-clashing key found there turns on a per-line key
  check (Python, only then);
- one `from_json` pass that parses every record; each record that cannot be read gets a `read:*` reason.
Input files are listed on the driver (local paths: recursively, skipping `_*` and `.*` names as Spark does), and
compressed files are checked by their magic bytes before Spark starts. `read_error_message` turns Spark's failure
on an unreadable file (a truncated archive) into one line naming the file.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import replace

from dps.config import ConfigError, InputConfig, is_remote
from dps.marks import MARK_COLUMNS, RAW, REASON, STATUS

# How Spark's JSON reader writes a non-string value it reads into a string field: a number, true/false, NaN or
# Infinity as its token, an object or array as JSON. Only texts starting like that need the costlier checks.
_STRINGIFIED_STARTS = ("-", *"0123456789", "t", "f", "N", "I", "{", "[")

_JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".jsonl.zst", ".json.zst", ".gz", ".zst")

# Deeper JSON is quarantined (read:too_deeply_nested): schema inference recurses per level and overflowed the
# task thread's stack (a StackOverflowError kills the JVM) at a depth of about 1,000.
MAX_NESTING_DEPTH = 100
# An oversized or unreadable record keeps at most this many characters of its raw line in dps_raw.
RAW_PREFIX_CHARS = 4096
# Characters a blank line may consist of (besides nothing): ASCII whitespace, NUL, BOM, NBSP and other Unicode
# spaces and line separators.
BLANK_CHARS = " \t\n\r\x0b\x0c\x00\ufeff\u00a0\u0085\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# Both the schema inference and from_json read JSON with these options: a raw control character (a CR or TAB
# written unescaped by a sloppy writer) inside a string is kept (the normalize stage deals with it).
_JSON_OPTIONS = {"allowUnquotedControlChars": "true", "maxNestingDepth": str(MAX_NESTING_DEPTH)}
# A zstd file starts with a frame (28 b5 2f fd) or a skippable frame (5? 2a 4d 18).
_MAGIC = {".gz": (b"\x1f\x8b",),
          ".zst": (b"\x28\xb5\x2f\xfd", *[bytes([0x50 + i, 0x2a, 0x4d, 0x18]) for i in range(16)])}
_DPS_RESERVED_PREFIX = "_dps"

# A \uXXXX escape of a UTF-16 surrogate without its other half (the backslash itself not escaped): Spark would
# silently turn it into '?'.
_LONE_SURROGATE = (r"(?<!\\)(?:\\\\)*+\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                   r"|(?<!\\)(?:\\\\)*+(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")
# Any \uXXXX escape of a surrogate, paired or not: a simple pattern Java's regex engine scans quickly, so the full
# pattern above (slow: it tries a lookbehind at every position) only runs on lines that hold one. A file written with
# ASCII escapes (Python's json.dumps default) has `\u` on every line, and surrogate escapes only where a character
# lies outside the BMP (emoji).
_SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F]"
# UTF-16 read as UTF-8: ASCII characters alternate with NUL bytes.
_UTF16_PATTERN = r"(?:[^\x00]\x00){3}|(?:\x00[^\x00]){3}"
# More than MAX_NESTING_DEPTH containers opened in a row (keys in between): only tested on lines that failed to
# parse.
_DEEP_PATTERN = r'(?:[\[{]\s*+(?:"(?:[^"\\]|\\.)*+"\s*+:\s*+)?+){%d}' % (MAX_NESTING_DEPTH + 1)


# ------------------------------------------------------------------------------------------------- input files

def _hidden(name: str) -> bool:
    """Spark's rule (InMemoryFileIndex.shouldFilterOutPathName): these files and folders are never read."""
    exclude = (name.startswith("_") and "=" not in name) or name.startswith(".") or name.endswith("._COPYING_")
    return exclude and not name.startswith(("_common_metadata", "_metadata"))


def hadoop_escape(path: str) -> str:
    """A literal path for Spark, which reads every path as a Hadoop glob pattern."""
    return re.sub(r"([\\*?\[\]{}])", r"\\\1", path)


def list_input_files(cfg: InputConfig) -> list[str]:
    """Every local file the job reads (folders recursively; `_*` and `.*` files and folders are skipped, as Spark
    does); remote paths are returned as given. A path that exists as written is taken literally (a `[` in a file
    name), otherwise it is a glob."""
    files: list[str] = []
    for p in cfg.paths:
        if is_remote(p):
            files.append(p)
            continue
        local = p[len("file://"):] if p.startswith("file://") else p
        matches = [local] if os.path.exists(local) else sorted(glob.glob(local))
        if not matches:
            raise ConfigError(f"input.paths: no file or folder matches '{p}'")
        found = []
        for match in matches:
            if _hidden(os.path.basename(match.rstrip("/"))):
                if match == local:
                    raise ConfigError(f"input.paths: '{p}' starts with '_' or '.': Spark skips such files and "
                                      f"folders; rename it")
                continue
            if os.path.isdir(match):
                for root, dirs, names in os.walk(match):
                    dirs[:] = sorted(d for d in dirs if not _hidden(d))
                    found += [os.path.join(root, n) for n in sorted(names) if not _hidden(n)]
            else:
                found.append(match)
        if not found:
            raise ConfigError(f"input.paths: '{p}' holds no input file (files and folders starting with '_' or '.' "
                              f"are skipped)")
        files += found
    return files  # a file named twice is read twice, as Spark does


def _kind(path: str) -> str:
    return "parquet" if path.endswith(".parquet") else "jsonl" if path.endswith(_JSONL_SUFFIXES) else "?"


def detect_format(cfg: InputConfig, files: list[str] | None = None) -> str:
    if cfg.format != "auto":
        return cfg.format
    files = list_input_files(cfg) if files is None else files
    kinds = {_kind(f) for f in files}
    if kinds == {"parquet"}:
        return "parquet"
    if kinds == {"jsonl"}:
        return "jsonl"
    odd = [f for f in files if _kind(f) == "?"][:3]
    raise ConfigError(f"input.format: cannot tell the format of {', '.join(cfg.paths)} from file names "
                      f"(found {', '.join(sorted(kinds))}{'; e.g. ' + ', '.join(odd) if odd else ''}); "
                      f"set input.format to jsonl or parquet")


def check_jsonl_files(files: list[str]) -> None:
    """Local files: a .gz/.zst file must start with its codec's magic bytes, a plain one must not."""
    for f in files:
        if is_remote(f):
            continue
        with open(f, "rb") as fh:
            head = fh.read(4)
        if not head:
            continue  # an empty file holds no record, whatever its name
        suffix = ".gz" if f.endswith(".gz") else ".zst" if f.endswith(".zst") else None
        actual = next((s for s, magics in _MAGIC.items() if head.startswith(magics)), None)
        if suffix and actual != suffix:
            what = f"{actual[1:]}-compressed" if actual else "not compressed"
            raise ConfigError(f"input file {f}: named {suffix} but {what} (first bytes {head.hex(' ')}); "
                              f"rename or recompress it")
        if not suffix and actual:
            raise ConfigError(f"input file {f}: {actual[1:]}-compressed but not named {actual}; rename it")


def read_error_message(exc: BaseException) -> str | None:
    """Spark's failure on an unreadable input file (a truncated .gz/.zst, a corrupt or mismatched Parquet file) as
    one line naming the file and the cause; None for other errors."""
    text = str(exc)
    if "FAILED_READ_FILE" not in text and "CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE" not in text \
            and "CANNOT_READ_FILE_FOOTER" not in text:
        return None
    m = re.search(r"(?:reading file|file footer for file|Could not read footer for file:?)\s+(\S+?)\.?\s", text)
    where = f"input file {m.group(1)}" if m else "input"
    causes = [line.split("Caused by:", 1)[1].strip() for line in text.splitlines() if "Caused by:" in line]
    cause = causes[-1] if causes else text.strip().splitlines()[0]
    low = cause.lower()
    if "unexpected end of input stream" in low or "truncated" in low or "eofexception" in low:
        hint = "truncated (the compressed stream ends early); recompress or remove the file"
    elif "not a gzip file" in low or "unknown frame descriptor" in low or "incorrect header" in low:
        hint = "not valid compressed data for its file name; rename or recompress it"
    elif "schemacolumnconvertnotsupported" in low or "mismatch" in low or "incompatible" in low:
        hint = "its column types differ from the other input files; convert them to one schema"
    else:
        hint = "cannot be read"
    cause = re.sub(r"^[\w.$]+\.(\w+(?:Exception|Error))", r"\1", cause)[:300]
    return f"{where}: {hint} ({cause})"


def _spark_call(fn):
    """Run a Spark action of the reader; an unreadable input file becomes one ConfigError line."""
    try:
        return fn()
    except Exception as exc:
        message = read_error_message(exc)
        if message is None:
            raise
        raise ConfigError(message) from None


# A record's bytes are held several times over while it is parsed, cached (the columnar cache copies strings to
# gather compression statistics) and sorted. At a 1 GB heap (korean_web.yaml, local[2]), one 63 MB record ran out of
# memory, and so did six 15 MB records in one partition; twelve 7.6 MB records did not.
HEAP_PER_RECORD = 128


def record_limit_mb(spark, cfg: InputConfig) -> tuple[float, str]:
    """(input.max_record_mb in effect, where it comes from): the configured value, or 1/HEAP_PER_RECORD of the heap
    of the JVMs that read the records (the driver in local mode, else spark.executor.memory, Spark's 1g default)."""
    if cfg.max_record_mb is not None:
        return cfg.max_record_mb, "input.max_record_mb"
    conf = spark.sparkContext.getConf()
    local = (conf.get("spark.master", "") or "").startswith("local")
    key = "spark.driver.memory" if local else "spark.executor.memory"
    heap = conf.get(key, "1g")
    mb = max(1.0, jvm_size_mb(heap) / HEAP_PER_RECORD)
    return mb, f"1/{HEAP_PER_RECORD} of {key} = {heap}; set input.max_record_mb to change it"


def jvm_size_mb(size: str) -> float:
    """A Spark memory setting ("512m", "4g", "1024k"; without a unit, MiB, as Spark reads spark.driver.memory and
    spark.executor.memory) in MB."""
    text = size.strip().lower().removesuffix("b")
    units = {"k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0 ** 2}
    if text and text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


def byte_size(value: str) -> int:
    """A Spark byte setting ("33554432", "32m", "128MB", "1g") in bytes; without a unit, bytes (jvm_size_mb reads
    the memory settings, whose unit without one is MiB)."""
    m = re.fullmatch(r"(\d+)\s*([kmgt]?)b?", value.strip().lower())
    if m is None:
        raise ValueError(f"not a byte size: {value!r}")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[m.group(2)]


def read_marked(spark, cfg: InputConfig):
    """Returns (marked DataFrame, input-count DataFrame, input columns).

    The columns are names for `DataFrame.select`: a name with a dot (or a backtick, or the empty name) comes
    back quoted in backticks. A null input.max_record_mb is resolved from the heap first (record_limit_mb).
    """
    cfg = replace(cfg, max_record_mb=record_limit_mb(spark, cfg)[0])
    files = list_input_files(cfg)
    fmt = detect_format(cfg, files)
    spark_paths = [f if is_remote(f) else hadoop_escape(f) for f in files]
    if fmt == "parquet":
        return _read_parquet(spark, cfg, files, spark_paths)
    check_jsonl_files(files)
    return _read_jsonl(spark, cfg, spark_paths)


def _recursive(spark_paths: list[str]) -> str:
    """Local inputs are listed file by file on the driver; a remote folder is read with its subfolders. (Spark
    then reads a file named twice once; local files named twice are read twice, as before.)"""
    return "true" if any(is_remote(p) for p in spark_paths) else "false"


def select_name(name: str) -> str:
    return f"`{name.replace('`', '``')}`" if not name or "." in name or "`" in name else name


def _reserved(name: str) -> bool:
    low = name.lower()
    return low in MARK_COLUMNS or low.startswith(_DPS_RESERVED_PREFIX)


# ------------------------------------------------------------------------------------------------------- JSONL

def _json_path(name: str) -> str:
    return "$." + name if name.replace("_", "").isalnum() else "$['" + name.replace("'", "\\'") + "']"


def _quoted(name: str) -> str:
    """The key as it appears in a JSON line (non-ASCII unescaped, as most writers write it)."""
    return json.dumps(name, ensure_ascii=False)


def _lines(spark, spark_paths: list[str]):
    """The non-blank lines, with a leading BOM dropped. Only '\\n' ends a line: a CR inside a record stays in it,
    and a CRLF file's lines end with a CR (JSON whitespace)."""
    from pyspark.sql import functions as F

    raw = (spark.read.option("lineSep", "\n").option("recursiveFileLookup", _recursive(spark_paths))
           .text(spark_paths))
    v = F.col("value")
    no_bom = F.when(v.startswith("\ufeff"), F.expr("substring(value, 2)")).otherwise(v)
    blank = F.when(v.startswith("{"), F.lit(False)).otherwise(F.btrim(v, F.lit(BLANK_CHARS)) == "")
    return raw.where(~blank).select(no_bom.alias("value"))


def _ends_like_object(v):

    return v.endswith("}") | v.endswith("}\r") | v.rlike(r"\}\s*$")


def _line_checks(v, max_bytes: int, opts: dict):
    """Reasons decided without the schema, cheapest tests first (None: no problem found here)."""
    from pyspark.sql import functions as F

    size = F.octet_length(v)
    # Two JSON values on one line: from_json reads the first and ignores the rest. A `}` followed by `{` is
    # impossible in JSON outside strings; a line with one is parsed again wrapped in [ ] (one element expected).
    # Each `contains` is a scan of the line (about 1 % of a job's CPU each): only objects written back to back
    # (`}{`, the usual missing newline) are looked for, not ones joined by a space or a comma.
    two_suspect = v.contains("}{")
    # json_array_length only counts top-level elements, accepts raw control characters like the main parse, and
    # compiles with the rest of the projection (from_json here would take the whole reason projection out of
    # whole-stage code generation, and with it one more copy of every row).
    elements = F.json_array_length(F.concat(F.lit("["), v, F.lit("]")))
    starts_object = v.startswith("{") | F.ltrim(v).startswith("{")
    return (F.when(size > max_bytes, F.lit("read:too_large"))
            .when(starts_object & ~_ends_like_object(v) & ~v.contains("\x00"), F.lit("read:malformed_json"))
            .when(two_suspect & (F.coalesce(elements, F.lit(-1)) != 1), F.lit("read:malformed_json"))
            .when(v.contains("\\u") & v.rlike(_SURROGATE_ESCAPE) & v.rlike(_LONE_SURROGATE),
                  F.lit("read:lone_surrogate")))


def _corrupt_reason(v):
    """Why a line from_json could not read as an object (only evaluated for such lines)."""
    from pyspark.sql import functions as F

    starts_object = F.ltrim(v).startswith("{")
    valid_json = F.expr("try_parse_json(value) IS NOT NULL")
    return (F.when(v.contains("\x00"), F.when(v.rlike(_UTF16_PATTERN), F.lit("read:utf16"))
                   .otherwise(F.lit("read:bad_encoding")))
            .when(~F.expr("is_valid_utf8(value)"), F.lit("read:bad_encoding"))
            .when(v.rlike(_DEEP_PATTERN), F.lit("read:too_deeply_nested"))
            .when(starts_object & valid_json, F.lit("read:too_deeply_nested"))
            .when(starts_object, F.lit("read:malformed_json"))
            .when(valid_json, F.lit("read:not_an_object"))
            .otherwise(F.lit("read:malformed_json")))


def _parsed_type(text_col: str):
    """The JSON type of the line's top-level text value (STRING, BIGINT, OBJECT<...>), by parse_json; null when the
    line does not parse (raw control characters, a repeated key) or has no such value."""
    from pyspark.sql import functions as F

    return F.expr(f"schema_of_variant(variant_get(try_parse_json(value), {_sql_str(_json_path(text_col))}))")


def _text_not_string(v, text, text_col: str):
    """Spark reads a number or an object into a string field silently; those texts start like a stringified value
    and the line has the key followed by something other than a string."""
    from pyspark.sql import functions as F

    key = re.escape(_quoted(text_col))
    # parse_json compiles with the rest of the projection (see _line_checks) but gives up on raw control characters
    # and repeated keys, where from_json does not: such a line, whose text looks like a stringified value and whose
    # key is followed by a non-string, is quarantined rather than kept on a guess.
    return (F.substring(text, 1, 1).isin(*_STRINGIFIED_STARTS) & v.rlike(key + r'\s*:\s*[^"\s]')
            & (F.coalesce(_parsed_type(text_col), F.lit("")) != "STRING"))


def _well_formed_lines(lines, text_col: str, opts: dict, max_bytes: int):
    """For schema inference: the lines that are JSON objects whose top-level text value is a string (O(1) tests,
    then the key lookup). Cheap when the first occurrence of the key is at the top level (no `{` or `[` before it)
    and followed by `:"`; a JSON path lookup settles the other lines that have the key."""
    from pyspark.sql import functions as F

    v = F.col("value")
    key = _quoted(text_col)
    # Only O(1) tests besides the key lookup here (an oversized line is never parsed): a line with two objects
    # or a lone surrogate may still add a column (both are rare; the main pass quarantines them).
    df = (lines.where((F.octet_length(v) <= max_bytes) & v.startswith("{") & _ends_like_object(v))
          .select("value", F.instr(v, key).alias("_dps_p")))
    p = F.col("_dps_p")
    before = F.expr("substring(value, 2, greatest(_dps_p - 2, 0))")
    after = F.expr(f"substring(value, _dps_p + {len(key)}, 3)")
    cheap = ((p > 1) & (F.instr(before, "{") == 0) & (F.instr(before, "[") == 0) & ~before.endswith("\\")
             & (after.startswith(':"') | after.startswith(': "')))
    # Both lookups compile with the rest of the filter (from_json would not; see _line_checks). parse_json tells a
    # string from a number or an object but gives up on raw control characters and repeated keys; there the
    # lenient get_json_object decides (it cannot tell "5" from 5: such a line may still add its keys as columns).
    exact = (F.get_json_object(v, _json_path(text_col)).isNotNull()
             & (F.coalesce(_parsed_type(text_col), F.lit("STRING")) == "STRING"))
    return df.where((p > 0) & (cheap | exact)).select("value")


def _sql_str(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _infer(spark, df, cfg: InputConfig, opts: dict):
    """Spark's JSON schema inference over the lines of `df` (column value)."""
    from pyspark.sql import DataFrame

    jvm = spark._jvm
    reader = spark._jsparkSession.read().option("mode", "DROPMALFORMED") \
        .option("samplingRatio", str(cfg.schema_sampling_ratio))
    for k, val in opts.items():
        reader = reader.option(k, val)
    ds = getattr(df.select("value")._jdf, "as")(jvm.org.apache.spark.sql.Encoders.STRING())
    return DataFrame(_spark_call(lambda: reader.json(ds)), spark).schema


def _clean_schema(struct, text_col: str):
    """Drops duplicate and case-variant field names (at every level). Returns (clean struct, names seen twice in
    one object, spellings other than the one kept)."""
    from pyspark.sql import types as T

    dup_names: set[str] = set()
    variants: set[str] = set()

    def clean(dt):
        if isinstance(dt, T.StructType):
            groups: dict[str, list] = {}
            for f in dt.fields:
                groups.setdefault(f.name.lower(), []).append(f)
            out = []
            for fields in groups.values():
                names = [f.name for f in fields]
                if len(set(names)) < len(names):
                    dup_names.update(n for n in names if names.count(n) > 1)
                spellings = sorted(set(names))
                keep = (text_col if text_col in spellings else
                        next((s for s in spellings if s == s.lower()), spellings[0]))
                variants.update(s for s in spellings if s != keep)
                f = next(f for f in fields if f.name == keep)
                out.append(T.StructField(f.name, clean(f.dataType), f.nullable))
            return T.StructType(sorted(out, key=lambda f: [f.name for f in dt.fields].index(f.name)))
        if isinstance(dt, T.ArrayType):
            return T.ArrayType(clean(dt.elementType), dt.containsNull)
        if isinstance(dt, T.MapType):
            return T.MapType(dt.keyType, clean(dt.valueType), dt.valueContainsNull)
        return dt

    return clean(struct), dup_names, variants


class _DuplicateKey(Exception):
    pass


def key_problem(line: str | None, variants: frozenset) -> str | None:
    """'read:duplicate_key' when an object of the line has a key twice (also differing only in case),
    'read:key_case_clash' when a key is spelled like another input key but for case; else None."""
    if line is None:
        return None
    clash = []

    def hook(pairs):
        seen = set()
        for k, _ in pairs:
            low = k.lower()
            if low in seen:
                raise _DuplicateKey
            seen.add(low)
            if k in variants:
                clash.append(k)

    try:
        json.loads(line, object_pairs_hook=hook, strict=False)
    except _DuplicateKey:
        return "read:duplicate_key"
    except (ValueError, RecursionError):
        return None
    return "read:key_case_clash" if clash else None


def _key_check(v, dup_names: set[str], variants: set[str]):
    """The per-line key check, in Python, for the lines that contain a key named twice or a case variant."""
    from pyspark.sql import functions as F

    # Spark's inference merges nested keys that differ only in case, so names are compared in lower case here.
    suspect = F.lit(False)
    for name in sorted({n.lower() for n in dup_names | variants}):
        q = _sql_str(_quoted(name))
        suspect = suspect | (F.expr(f"locate({q}, lower(value), instr(lower(value), {q}) + 1)") > 0)
    for name in sorted(variants):
        suspect = suspect | v.contains(_quoted(name))
    frozen = frozenset(variants)
    check = F.udf(lambda line: key_problem(line, frozen), "string")
    return check(F.when(suspect, v))


def _read_jsonl(spark, cfg: InputConfig, spark_paths: list[str]):
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    text_col = cfg.text_column
    max_bytes = int(cfg.max_record_mb * 1024 * 1024)
    # Jackson refuses strings over 20 million characters by default: allow any string a line under the limit holds.
    opts = {**_JSON_OPTIONS, "maxStringLen": str(max(max_bytes, 20_000_000))}
    lines = _lines(spark, spark_paths)
    v = F.col("value")
    line_reason = _line_checks(v, max_bytes, opts)
    dup_names: set[str] = set()
    variants: set[str] = set()
    if cfg.schema:
        try:
            schema = T._parse_datatype_string(cfg.schema)
        except Exception as exc:  # Spark's parser error names the bad token
            raise ConfigError(f"input.schema: not a valid Spark DDL schema: {str(exc).splitlines()[0]}") from None
        fields = [f for f in schema.fields if f.name != "_corrupt_record"]
        if not fields:
            raise ConfigError("input.schema: declares no field")
        reserved = [f.name for f in fields if _reserved(f.name)]
        if reserved:
            raise ConfigError(f"input.schema: fields {', '.join(reserved)} are reserved for dps's own marks")
        schema = T.StructType(fields)
    else:
        # Columns come from the well-formed records only: a quarantined record never adds one.
        candidates = _well_formed_lines(lines, text_col, opts, max_bytes)
        schema = _infer(spark, candidates, cfg, opts)
        if not schema.fields:
            schema = _no_well_formed_record(spark, cfg, lines, line_reason, opts)
        schema, dup_names, variants = _clean_schema(schema, text_col)
        if dup_names or variants:
            # Infer again without the records the key check quarantines: they add no column either.
            checked = candidates.where(_key_check(v, dup_names, variants).isNull())
            schema = _clean_schema(_infer(spark, checked, cfg, opts), text_col)[0]
            if text_col not in schema.fieldNames():
                schema = _no_well_formed_record(spark, cfg, lines, line_reason, opts)
    names = [f.name for f in schema.fields]
    if text_col not in names:
        raise ConfigError(f"input.text_column: the input has no field '{text_col}' "
                          f"(fields: {', '.join(names) or 'none'})")
    # The text field is read as a string whatever was inferred; records whose text is not a JSON string are
    # quarantined below rather than silently stringified.
    fields = [T.StructField(f.name, T.StringType(), True) if f.name == text_col else f for f in schema.fields]
    reserved = [f.name for f in fields if _reserved(f.name)]
    out_names = [n for n in names if n not in reserved]

    corrupt = "_dps_corrupt"
    with_corrupt = T.StructType(fields + [T.StructField(corrupt, T.StringType(), True)])
    parsed_row = F.from_json(v, with_corrupt, {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": corrupt, **opts})
    r = F.col("r")
    text = r[text_col]
    # One flat CASE: wrapping the line checks (when(line_reason.isNotNull(), line_reason)) made Spark evaluate
    # them twice per line, each a scan of the line.
    reason = line_reason.when(r[corrupt].isNotNull(), _corrupt_reason(v))
    if dup_names or variants:
        reason = reason.when(F.col("_dps_keys").isNotNull(), F.col("_dps_keys"))
    for name in reserved:
        reason = reason.when(r[name].isNotNull(), F.lit("read:reserved_key"))
    reason = (reason.when(text.isNull(), F.lit("read:missing_text"))
              .when(_text_not_string(v, text, text_col), F.lit("read:text_not_string"))
              # Invalid UTF-8 reaches the text as U+FFFD. Only the text's start is searched (a file in another
              # encoding, e.g. CP949, shows it at once; a stray bad byte further on is kept as U+FFFD).
              .when(F.substring(text, 1, 256).contains("\ufffd") & ~F.expr("is_valid_utf8(value)"),
                    F.lit("read:bad_encoding")))

    key_check = _key_check(v, dup_names, variants) if dup_names or variants else None
    marked = _assemble(lines, parsed_row, reason, max_bytes, cfg, out_names, key_check)
    return marked, lines, [select_name(n) for n in out_names]


def _assemble(lines, parsed_row, reason, max_bytes: int, cfg: InputConfig, names: list[str], key_check):
    """The marked frame. An oversized line is never parsed, and only a prefix of it goes on, behind a note with its
    size (the note is what the report's examples show first)."""
    from pyspark.sql import functions as F

    v, size = F.col("value"), F.col("_dps_size")
    small = F.octet_length("value") <= max_bytes
    step = lines.select("value", F.octet_length("value").alias("_dps_size"),
                        *([key_check.alias("_dps_keys")] if key_check is not None else []),
                        F.when(small, parsed_row).alias("r"))
    step = step.select(
        "r", reason.alias(REASON), "_dps_size",
        F.when(size <= max_bytes, v).alias("_dps_line"),
        F.when(size > max_bytes, F.substring(v, 1, RAW_PREFIX_CHARS)).alias("_dps_prefix"))
    note = F.concat(F.lit("[dps: record of "), size.cast("string"),
                    F.lit(f" bytes, over input.max_record_mb = {cfg.max_record_mb:g}; its first "
                          f"{RAW_PREFIX_CHARS} characters follow]\n"), F.col("_dps_prefix"))
    ok = F.col(REASON).isNull()
    return step.select(
        *[F.when(ok, F.col("r")[n]).alias(n) for n in names],
        F.when(ok, F.lit("kept")).otherwise(F.lit("quarantined")).alias(STATUS),
        F.col(REASON),
        F.when(F.col("_dps_prefix").isNotNull(), note).when(~ok, F.col("_dps_line")).alias(RAW),
    )


def _no_well_formed_record(spark, cfg: InputConfig, lines, line_reason, opts: dict):
    """No record is a JSON object with a string text: infer over every readable line for the error message, or
    go on with the text column alone (everything is then quarantined with its reason)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    everything = _infer(spark, lines.where(line_reason.isNull()), cfg, opts)
    names = [f.name for f in everything.fields]
    if names and cfg.text_column not in names:
        raise ConfigError(f"input.text_column: the input has no field '{cfg.text_column}' "
                          f"(fields: {', '.join(names)})")
    too_large = F.octet_length("value") > int(cfg.max_record_mb * 1024 * 1024)
    if not names and not _spark_call(lambda: lines.where(too_large).limit(1).count()):
        raise ConfigError(f"input.paths: no readable JSON record in {', '.join(cfg.paths)}")
    return T.StructType([T.StructField(cfg.text_column, T.StringType(), True)])


# ----------------------------------------------------------------------------------------------------- Parquet

def _arrow_kind(t) -> str:
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", lambda _: False)(t):
        return "string"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "binary"
    return str(t)


def check_parquet_files(files: list[str], text_col: str) -> None:
    """Local Parquet files: every footer readable, and a column has one type (and one spelling) in all files."""
    import pyarrow.parquet as pq

    seen: dict[str, tuple[str, str, str]] = {}  # lower name -> (name, kind, first file)
    for f in files:
        if is_remote(f):
            continue
        try:
            schema = pq.read_schema(f)
        except Exception as exc:
            raise ConfigError(f"input file {f}: not a readable Parquet file ({str(exc).splitlines()[0][:200]})") \
                from None
        for field in schema:
            kind = _arrow_kind(field.type)
            if field.name == text_col and kind != "string":
                raise ConfigError(f"input file {f}: column '{text_col}' has type {field.type}, expected string")
            name, other_kind, other = seen.setdefault(field.name.lower(), (field.name, kind, f))
            if name != field.name:
                raise ConfigError(f"input file {f}: column '{field.name}' differs only in case from '{name}' in "
                                  f"{other}; rename one")
            if other_kind != kind:
                raise ConfigError(f"input file {f}: column '{field.name}' has type {kind}, but {other_kind} in "
                                  f"{other}; convert the files to one schema")


def _read_parquet(spark, cfg: InputConfig, files: list[str], spark_paths: list[str]):
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    check_parquet_files(files, cfg.text_column)
    # mergeSchema: the columns of every file, not of one file picked by Spark.
    df = _spark_call(lambda: spark.read.option("mergeSchema", "true")
                     .option("recursiveFileLookup", _recursive(spark_paths))
                     .parquet(*spark_paths))
    names = df.columns
    if cfg.text_column not in names:
        raise ConfigError(f"input.text_column: the input has no column '{cfg.text_column}' "
                          f"(columns: {', '.join(names)})")
    if not isinstance(df.schema[cfg.text_column].dataType, T.StringType):
        raise ConfigError(f"input.text_column: column '{cfg.text_column}' has type "
                          f"{df.schema[cfg.text_column].dataType.simpleString()}, expected string")
    clash = [n for n in names if _reserved(n)]
    if clash:
        raise ConfigError(f"input: columns {', '.join(clash)} are reserved for dps's own marks")
    text = F.col(cfg.text_column)
    max_bytes = int(cfg.max_record_mb * 1024 * 1024)
    size = F.octet_length(text)
    too_large = size > max_bytes
    reason = F.when(text.isNull(), F.lit("read:missing_text")).when(too_large, F.lit("read:too_large"))
    note = F.concat(F.lit("[dps: text of "), size.cast("string"),
                    F.lit(f" bytes, over input.max_record_mb = {cfg.max_record_mb:g}; its first "
                          f"{RAW_PREFIX_CHARS} characters follow]\n"), F.substring(text, 1, RAW_PREFIX_CHARS))
    marked = df.select(
        *[F.when(too_large, F.lit(None).cast("string")).otherwise(text).alias(n) if n == cfg.text_column
          else F.col(select_name(n)) for n in names],
        F.when(reason.isNull(), F.lit("kept")).otherwise(F.lit("quarantined")).alias(STATUS),
        reason.alias(REASON),
        F.when(too_large, note).alias(RAW),
    )
    return marked, df, [select_name(n) for n in names]
