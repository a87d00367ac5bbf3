#!/usr/bin/env bash
# Nightly cron job: clean one day's crawl and deduplicate it against everything kept by earlier nights.
#
#   scripts/nightly.sh [DATE]        DATE = YYYY-MM-DD, default: yesterday (UTC)
#
# Settings (environment variables):
#   DPS_CONFIG         job config (default: configs/korean_web.yaml)
#   DPS_INPUT_PATTERN  where a day's crawl lands; {date} is replaced (default: /data/crawl/{date})
#   DPS_INDEX          the dedup index folder, if the config has no index.path (e.g. /data/dps/index)
#   DPS_OUTPUT         output.path override (the run writes <output.path>/run_id=DATE/)
#   DPS_LOG_DIR        one log file per date (default: logs)
#   DPS_SUBMIT         "spark-submit ..." prefix to run on a cluster (default: dps run in local mode)
#   DPS_EXTRA          more arguments for dps run, e.g. "--set spark.driver_memory=8g"
#
# Exit code: 0 on success; the job's code on failure (2: config or input problem; 1: job failed);
# 3 if the day's input is missing; 4 if another nightly run still holds the lock. Rerunning a date is safe:
# the run replaces its own output and index entries (see docs/nightly.md).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

date_arg="${1:-$(date -u -d 'yesterday' +%F)}"
if ! [[ "$date_arg" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || ! date -u -d "$date_arg" +%F >/dev/null 2>&1; then
  echo "nightly.sh: '$date_arg' is not a date (YYYY-MM-DD)" >&2
  exit 2
fi
config="${DPS_CONFIG:-configs/korean_web.yaml}"
pattern="${DPS_INPUT_PATTERN:-}"
[ -n "$pattern" ] || pattern='/data/crawl/{date}'
input="${pattern//'{date}'/$date_arg}"
log_dir="${DPS_LOG_DIR:-logs}"
mkdir -p "$log_dir"
log="$log_dir/dps-nightly-$date_arg.log"

say() { echo "$(date -u +%FT%TZ) nightly.sh: $*" | tee -a "$log" >&2; }

# One nightly run at a time: two runs committing to one index would refuse each other anyway.
exec 9>"$log_dir/.nightly.lock"
if ! flock -n 9; then
  say "another nightly run holds $log_dir/.nightly.lock; not starting $date_arg"
  exit 4
fi

case "$input" in
  *://*) ;;  # hdfs://, s3a://: Spark checks it
  *) if ! compgen -G "$input" >/dev/null; then
       say "no input for $date_arg at $input"
       exit 3
     fi ;;
esac

args=("$config" --run-id "$date_arg" --set "input.paths=$input")
[ -n "${DPS_INDEX:-}" ] && args+=(--set "index.path=$DPS_INDEX")
[ -n "${DPS_OUTPUT:-}" ] && args+=(--set "output.path=$DPS_OUTPUT")
# shellcheck disable=SC2206  # DPS_EXTRA is split on purpose
[ -n "${DPS_EXTRA:-}" ] && args+=($DPS_EXTRA)

if [ -n "${DPS_SUBMIT:-}" ]; then
  # shellcheck disable=SC2206
  cmd=($DPS_SUBMIT jobs/run_pipeline.py "${args[@]}")
elif [ -x .venv/bin/dps ]; then
  cmd=(.venv/bin/dps run "${args[@]}")
else
  cmd=(dps run "${args[@]}")
fi

say "starting run $date_arg: ${cmd[*]}"
started=$(date +%s)
"${cmd[@]}" >>"$log" 2>&1
code=$?
if [ "$code" -eq 0 ]; then
  say "run $date_arg done in $(( $(date +%s) - started ))s"
else
  say "run $date_arg FAILED with exit code $code after $(( $(date +%s) - started ))s; see $log"
fi
exit "$code"
