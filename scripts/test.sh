#!/usr/bin/env bash
# Set up .venv with the test extras, lint with ruff, and run the whole test suite (pure tests, then Spark
# end-to-end tests).
DPS_EXTRAS=test source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
# Lint first (seconds): a lint error fails the command like a failing test.
.venv/bin/ruff check dps tests scripts jobs || exit 1
exec .venv/bin/python -m pytest "$@"
