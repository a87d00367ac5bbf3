"""Progress of a run, step by step, from Spark's own task metrics, and the time each step took.

A step is a phase of the run (reading and the text stages, each frame stage, counting, writing, ...). While a step
runs, a thread reads the metrics of the Spark jobs started since the step began (tasks done of the tasks known,
records and bytes read) and shows them: on a terminal as one live line redrawn in place, otherwise (a cron log, a
pipe) as a plain line every PLAIN_EVERY_S seconds, so logs hold no carriage returns. Spark's own console bar is off
(dps.spark.session): these lines replace it.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Callable

# How often a plain (not terminal) progress line is written while a step runs, and how often the live line is
# redrawn on a terminal.
PLAIN_EVERY_S = 30.0
LIVE_EVERY_S = 0.5


def utc_iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


class _Metrics:
    """Sums of the metrics of the Spark jobs started after a point (job ids are sequential)."""

    def __init__(self, spark):
        self._sc = spark.sparkContext
        self._store = spark.sparkContext._jsc.sc().statusStore()
        self.first_job = self._next_job()

    def _next_job(self) -> int:
        ids = self._sc.statusTracker().getJobIdsForGroup(None)
        return max(ids, default=-1) + 1

    def read(self) -> dict:
        tracker = self._sc.statusTracker()
        done = total = records = read_bytes = 0
        stages: set[int] = set()
        for job in tracker.getJobIdsForGroup(None):
            if job < self.first_job:
                continue
            info = tracker.getJobInfo(job)
            if info is not None:
                stages.update(info.stageIds)
        for stage in sorted(stages):
            try:
                data = self._store.lastStageAttempt(stage)
            except Exception:  # noqa: BLE001 - a stage not started yet
                continue
            if data.status().toString() == "SKIPPED":  # its output was already there (cached, or shuffle reused)
                continue
            done += data.numCompleteTasks()
            total += data.numTasks()
            records += data.inputRecords()
            read_bytes += data.inputBytes()
        return {"tasks_done": done, "tasks": total, "records_read": records, "bytes_read": read_bytes}


class Progress:
    """Shows and times the steps of a run. `echo` writes one line (dps's log); `live` draws on a terminal (default:
    when stderr is one)."""

    def __init__(self, spark, echo: Callable[[str], None], live: bool | None = None, stream=None):
        self._spark = spark
        self._echo = echo
        self._stream = stream or sys.stderr
        self.live = self._stream.isatty() if live is None else live
        self.started = time.time()
        self.steps: list[dict] = []
        self._drawn = False
        self._lock = threading.Lock()

    def echo(self, message: str) -> None:
        """dps's log line, clearing the live line first so the two never mix."""
        with self._lock:
            self._clear()
            self._echo(message)

    def _clear(self) -> None:
        if self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._drawn = False

    @contextmanager
    def step(self, name: str):
        """Times the block as one step and shows its progress while it runs."""
        metrics = _Metrics(self._spark)
        started = time.time()
        stop = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(name, metrics, started, stop), daemon=True,
                                   name="dps-progress")
        self.echo(f"{name} ...")
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()
            seconds = time.time() - started
            seen = self._safe_read(metrics)
            record = {"step": name, "started_at": utc_iso(started), "seconds": round(seconds, 2),
                      "records_read": seen["records_read"], "mb_read": round(seen["bytes_read"] / 1e6, 1)}
            self.steps.append(record)
            figures = f" ({_figures(seen, seconds)})" if seen["tasks"] else ""
            self.echo(f"{name}: done in {seconds:.1f}s{figures}")

    def summary(self) -> dict:
        finished = time.time()
        return {"started_at": utc_iso(self.started), "finished_at": utc_iso(finished),
                "seconds": round(finished - self.started, 2), "steps": list(self.steps)}

    @staticmethod
    def _safe_read(metrics: _Metrics) -> dict:
        try:
            return metrics.read()
        except Exception:  # noqa: BLE001 - progress never fails a run (e.g. the JVM is shutting down)
            return {"tasks_done": 0, "tasks": 0, "records_read": 0, "bytes_read": 0}

    def _watch(self, name: str, metrics: _Metrics, started: float, stop: threading.Event) -> None:
        every = LIVE_EVERY_S if self.live else PLAIN_EVERY_S
        while not stop.wait(every):
            seen = self._safe_read(metrics)
            line = f"{name}: {_figures(seen, time.time() - started)}, {time.time() - started:.0f}s"
            with self._lock:
                if stop.is_set():
                    return
                if self.live:
                    self._stream.write("\r\033[K" + _bar(seen) + " " + line)
                    self._stream.flush()
                    self._drawn = True
                else:
                    self._echo(line)


def _figures(seen: dict, seconds: float) -> str:
    mb = seen["bytes_read"] / 1e6
    rate = f", {mb / seconds:.1f} MB/s" if seconds > 0 and mb else ""
    tasks = f"tasks {seen['tasks_done']:,}/{seen['tasks']:,}, " if seen["tasks"] else ""
    records = seen["records_read"]
    return f"{tasks}{records:,} record{'' if records == 1 else 's'} and {mb:,.1f} MB read{rate}"


def _bar(seen: dict, width: int = 20) -> str:
    share = seen["tasks_done"] / seen["tasks"] if seen["tasks"] else 0.0
    filled = int(share * width)
    return "[" + "=" * filled + " " * (width - filled) + "]"
