#!/usr/bin/env bash
# Set up .venv with the test extras and run the whole test suite (pure tests, then Spark end-to-end tests).
DPS_EXTRAS=test source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
exec .venv/bin/python -m pytest "$@"
