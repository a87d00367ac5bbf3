#!/usr/bin/env bash
# Build a relocatable Python environment with dps and its pinned dependencies for Spark executors:
#
#   bash scripts/package_env.sh [--output dist/dps-env.tar.gz] [--python-prefix /usr] [--compress-level 4]
#   spark-submit --archives dist/dps-env.tar.gz#environment --conf spark.pyspark.python=./environment/bin/python ...
#
# PYTHON=/path/to/python3.11 picks the interpreter (default: python3). venv-pack does not copy the interpreter:
# bin/python in the archive is a link to the building Python's location, or to PREFIX/bin/python3.X with
# --python-prefix PREFIX, so every executor needs the same CPython minor version there.
# pyspark is left out on purpose: executors import the pyspark.zip of the cluster's own Spark installation
# (which must match its JVM), and leaving it out makes the archive 460 MB smaller (490 MB unpacked).
# Also left behind: build/dps-env, the unpacked venv (usable as the client-mode driver's Python).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV_PACK="venv-pack==0.2.0"
output="dist/dps-env.tar.gz"
python_prefix=""
compress_level=4
build="build/dps-env"

die() { echo "package_env.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output) [ $# -ge 2 ] || die "$1 needs a value"; output="$2"; shift 2 ;;
    --python-prefix) [ $# -ge 2 ] || die "$1 needs a value"; python_prefix="$2"; shift 2 ;;
    --compress-level) [ $# -ge 2 ] || die "$1 needs a value"; compress_level="$2"; shift 2 ;;
    --build-dir) [ $# -ge 2 ] || die "$1 needs a value"; build="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set /s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (options: --output, --python-prefix, --compress-level, --build-dir)" ;;
  esac
done
case "$output" in *.tar.gz|*.tgz|*.zip) ;; *) die "--output must end in .tar.gz, .tgz or .zip (what spark-submit --archives unpacks), got '$output'" ;; esac
case "$compress_level" in [0-9]) ;; *) die "--compress-level must be 0-9, got '$compress_level'" ;; esac
if [ -n "$python_prefix" ] && [ "${python_prefix#/}" = "$python_prefix" ]; then
  die "--python-prefix must be an absolute path (the Python installation prefix on the executors), got '$python_prefix'"
fi

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || die "PYTHON=$PYTHON: not found (set PYTHON=/path/to/python3.11)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
  || die "PYTHON=$PYTHON: dps needs Python >= 3.11, found $("$PYTHON" --version 2>&1 | head -n 1)"
# Resolve shims (pyenv, asdf): the venv must link to the real interpreter, which executors will need too.
real_python="$("$PYTHON" -c 'import sys; print(sys.executable)')"

work="$(dirname "$build")"
mkdir -p "$(dirname "$output")" "$work"
log="$work/package_env.log"
: > "$log"
run() {  # quiet step; on failure show the end of the log
  if ! "$@" >> "$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "package_env.sh: failed: $*; full log: $log" >&2
    exit 1
  fi
}

started=$(date +%s)
# The build folder is replaced whole: only one this script made (its marker inside), never a folder of the user's.
if [ -e "$build" ] && [ -n "$(ls -A "$build" 2>/dev/null)" ] && [ ! -f "$build/.dps-env-build" ]; then
  die "--build-dir $build exists and was not made by package_env.sh (no .dps-env-build in it); give a new folder, or delete it yourself if it is an old build"
fi
rm -rf "$build"
echo "creating $build with $("$real_python" --version) ($real_python)" >&2
run "$real_python" -m venv "$build"
touch "$build/.dps-env-build"
# The pinned runtime dependencies of pyproject.toml, minus pyspark (and py4j, which only pyspark pulls in).
mapfile -t deps < <("$real_python" -c '
import re, tomllib
for dep in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    if re.match(r"pyspark\b", dep, re.I) is None:
        print(dep)')
echo "installing dps (not editable) and ${#deps[@]} pinned dependencies, without pyspark (log: $log)" >&2
run "$build/bin/python" -m pip install --disable-pip-version-check "${deps[@]}"
# setuptools builds in ./build/lib and never removes files from it: a stale module would be shipped.
rm -rf build/lib
run "$build/bin/python" -m pip install --disable-pip-version-check --no-deps .
# Not needed on executors: pip, setuptools and the packages' own test suites (~100 MB, mostly pandas/tests),
# which every executor would otherwise unpack.
run "$build/bin/python" -m pip uninstall --disable-pip-version-check -y pip setuptools
find "$build/lib" -depth -type d -name tests -path '*/site-packages/*/tests' -exec rm -rf {} +

# What executors import (after pruning) and Kiwi's model (shipped in the kiwipiepy_model package), checked
# before packing.
run "$build/bin/python" -I -c '
import os, sys
import dps.registry, kiwipiepy, kiwipiepy_model, numpy, pandas, pyarrow, regex, yaml, zstandard, datasketch
model = kiwipiepy_model.get_model_path()
missing = [f for f in ("cong.mdl", "sj.morph", "default.dict") if not os.path.isfile(os.path.join(model, f))]
assert not missing, f"Kiwi model files missing from {model}: {missing}"
assert dps.__file__.startswith(sys.prefix), f"dps imported from {dps.__file__}, not from the venv"
'
# venv-pack runs from its own folder so it is not packed itself.
tools="$work/venv-pack-tool"
if [ ! -f "$tools/.installed-$VENV_PACK" ]; then
  rm -rf "$tools"
  run "$real_python" -m pip install --disable-pip-version-check --target "$tools" "$VENV_PACK"
  touch "$tools/.installed-$VENV_PACK"
fi
echo "packing $build into $output" >&2
PYTHONPATH="$tools" run "$real_python" -m venv_pack --prefix "$build" --output "$output" --force \
  --compress-level "$compress_level" ${python_prefix:+--python-prefix "$python_prefix"}
chmod 644 "$output"  # venv-pack creates it private; cluster users may need to read it
size=$(du -h "$output" | cut -f1)
echo "wrote $output ($size) in $(( $(date +%s) - started ))s; executors need CPython $("$real_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') at ${python_prefix:-$("$real_python" -c 'import sys; print(sys.base_prefix)')}" >&2
echo "use: spark-submit --archives $output#environment --conf spark.pyspark.python=./environment/bin/python ..." >&2
