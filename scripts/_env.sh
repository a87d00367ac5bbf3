# Sourced by run_sample.sh and test.sh: make .venv (Python >= 3.11) with dps installed, check Java.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "dps needs Python >= 3.11 (set PYTHON=/path/to/python3.11); found: $("$PYTHON" --version 2>&1)" >&2
  exit 2
fi
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  echo "dps needs Java 17 for Spark: install it (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $("$PYTHON" --version)" >&2
  "$PYTHON" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=".venv/.dps-installed-$(sha256sum pyproject.toml | cut -c1-16)-${DPS_EXTRAS:-none}"
if [ ! -f "$stamp" ]; then
  echo "installing dps${DPS_EXTRAS:+[$DPS_EXTRAS]} and its pinned dependencies into .venv (log: .venv/install.log)" >&2
  if ! .venv/bin/python -m pip install --disable-pip-version-check -e ".${DPS_EXTRAS:+[$DPS_EXTRAS]}" \
       > .venv/install.log 2>&1; then
    tail -n 30 .venv/install.log >&2
    echo "installation failed; full log: .venv/install.log" >&2
    exit 1
  fi
  rm -f .venv/.dps-installed-*
  touch "$stamp"
fi
