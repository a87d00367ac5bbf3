#!/usr/bin/env bash
# Set up .venv and run the full chain on the bundled sample in Spark local mode.
# Writes Parquet shards + _dps_report.json to out/sample and rejected rows to out/sample_rejected.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
exec .venv/bin/dps run configs/sample.yaml "$@"
