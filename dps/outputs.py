"""Output safety: what dps may replace, the locks that keep two runs apart, and the commit by renames.

Every folder dps publishes (output.path, output.rejected_path, a nightly run_id=<id> folder, a profile folder)
goes through the same steps, on any file system with a `fs` object (LocalFS here, HadoopFS in dps.spark.io):

1. lock     `<parent>/.<name>.dps-lock`, created exclusively; it holds the host, pid, process start time and a
            token, and is refreshed every HEARTBEAT_SECONDS. A lock is dead when its process is gone (same host) or
            it was not refreshed for STALE_LOCK_SECONDS (another host); a dead lock is taken over, a live one refused.
2. recover  under the lock, what a killed run left is provably dead: hidden staging folders are deleted, and an old
            copy whose replacement never arrived is renamed back (the previous output returns).
3. check    an existing folder is replaced only if dps wrote it (a marker file and nothing but dps's own files),
            unless the user forces it; a folder holding nightly runs (run_id=*) is never replaced by accident.
4. stage    Spark writes into `<parent>/.<name>.dps-staging-<token>`: hidden (a leading "."), so Spark, Hadoop and
            pyarrow readers of <parent> never see it.
5. commit   the staged files are checked against what was counted and synced to disk, then
            `<name>` -> `.<name>.dps-old-<token>`, staging -> `<name>`, the old copy is deleted.
A kill between any two file operations leaves either the previous or the new folder at `<name>`, plus hidden
leftovers that the next run's step 2 resolves.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable

from dps.config import ConfigError

HEARTBEAT_SECONDS = 30
# A lock written on another host (cluster drivers move between machines) cannot be checked by its pid: it is dead
# when its holder stopped refreshing it for this long. Ten heartbeats: a paused JVM (GC) never comes close.
STALE_LOCK_SECONDS = int(os.environ.get("DPS_STALE_LOCK_SECONDS", 300))
LOCK_SUFFIX = ".dps-lock"
_TOKEN = re.compile(r"[0-9a-f]{12}")


def token() -> str:
    return uuid.uuid4().hex[:12]


def split(path: str) -> tuple[str, str]:
    """(parent, name); the parent of /out is "" (paths are built as parent + "/" + ...)."""
    path = path.rstrip("/")
    parent, _, name = path.rpartition("/")
    return parent, name


def staging_path(path: str, run_token: str) -> str:
    parent, name = split(path)
    return f"{parent}/.{name}.dps-staging-{run_token}"


def old_path(path: str, run_token: str) -> str:
    parent, name = split(path)
    return f"{parent}/.{name}.dps-old-{run_token}"


def report_temp_path(path: str, run_token: str) -> str:
    parent, name = split(path)
    return f"{parent}/.{name}.dps-report-{run_token}"


def lock_path(path: str) -> str:
    parent, name = split(path)
    return f"{parent}/.{name}{LOCK_SUFFIX}"


def leftovers(fs, path: str) -> dict[str, list[str]]:
    """What a killed run of `path` left beside it: {'staging': [...], 'old': [...], 'report': [...]} (full paths).

    Both the hidden names and the visible ones of dps versions before them (`<name>.dps-staging-<hex>`), which
    readers of the parent folder took for data."""
    parent, name = split(path)
    found: dict[str, list[str]] = {"staging": [], "old": [], "report": []}
    if not fs.exists(parent or "/"):
        return found
    pattern = re.compile(r"\.?" + re.escape(name) + r"\.dps-(staging|old|report)-([0-9a-f]{12})")
    for entry in fs.list_names(parent or "/"):
        m = pattern.fullmatch(entry)
        if m:
            found[m.group(1)].append(f"{parent}/{entry}")
    return found


def recover(fs, path: str, echo: Callable[[str], None]) -> None:
    """Resolve what killed runs left beside `path`. Call only while holding its lock: no live run owns them."""
    found = leftovers(fs, path)
    for staging in found["staging"]:
        echo(f"removing {staging} (staging folder of a killed run)")
        fs.delete(staging)
    for report in found["report"]:
        echo(f"removing {report} (final report file of a killed run)")
        fs.delete(report)
    olds = sorted(found["old"], key=fs.mtime)
    if olds and not fs.exists(path):
        # Killed between "output -> old" and "staging -> output": the old copy is the last committed output.
        restore = olds.pop()
        echo(f"restoring {path} from {restore} (a killed run had moved it aside)")
        fs.rename(restore, path)
        fs.sync_parent(path)
    for old in olds:
        echo(f"removing {old} (replaced output of a killed run)")
        fs.delete(old)


# ------------------------------------------------------------------------------------------------- ownership

@dataclass(frozen=True)
class Kind:
    """What a folder of one kind that dps wrote looks like: the marker it always holds and the names it may hold."""

    what: str  # for messages: "dps output", "dps profile"
    marker: str
    allowed: re.Pattern


OUTPUT = Kind("dps output", "_dps_report.json",
              re.compile(r"part-\d{5}(\.\w+)?\.parquet|_dps_report\.(json|html)|_SUCCESS|\..*"))
PROFILE = Kind("dps profile", "profile.json", re.compile(r"profile\.(json|html)|[\w.-]+\.png|\..*"))
_RUN_FOLDER = re.compile(r"run_id=.+")


def check_replaceable(fs, path: str, kind: Kind, key: str, *, force: bool = False,
                      force_hint: str | None = None) -> None:
    """ConfigError unless `path` is absent, empty, or a folder dps wrote (of `kind`); `force` lifts the check."""
    if not fs.exists(path):
        return
    if not fs.is_dir(path):
        raise ConfigError(f"{key}: {path} is a file, not a folder; dps writes a folder there")
    names = fs.list_names(path)
    if force or not names:
        return
    runs = [n for n in names if _RUN_FOLDER.fullmatch(n)]
    if runs:
        force_text = f" (or {force_hint} to replace the whole folder)" if force_hint else ""
        raise ConfigError(f"{key}: {path} holds nightly runs ({', '.join(runs[:3])}{', ...' if len(runs) > 3 else ''})"
                          f"; a run without a run id would replace all of them: pass --run-id ID{force_text}")
    foreign = [n for n in names if not kind.allowed.fullmatch(n)]
    if kind.marker not in names or foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "") if foreign else f"no {kind.marker}"
        force_text = f", or pass {force_hint} to replace it (its contents are deleted)" if force_hint else ""
        raise ConfigError(f"{key}: {path} exists and is not a {kind.what} ({shown}); dps only replaces folders it "
                          f"wrote: choose another path{force_text}")


# ------------------------------------------------------------------------------------------------------ locks

def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), which tells a live pid from a reused one."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(holder: dict) -> bool | None:
    """True/False for a holder on this host; None when it cannot be told from here."""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return None
    start = _process_start(holder["pid"])
    return start is not None and start == holder.get("pid_start")


class LockHeld(ConfigError):
    """Another live run holds a lock this run needs."""


class Lock:
    """One `.dps-lock` file; see the module docstring."""

    def __init__(self, fs, path: str, purpose: str, lock_file: str | None = None):
        self.fs, self.path, self.purpose = fs, path, purpose
        self.file = lock_file or lock_path(path)
        self.token = token()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _content(self) -> str:
        pid = os.getpid()
        return json.dumps({"host": socket.gethostname(), "pid": pid, "pid_start": _process_start(pid),
                           "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "purpose": self.purpose, "token": self.token})

    def _holder(self) -> dict:
        try:
            holder = json.loads(self.fs.read_text(self.file))
            return holder if isinstance(holder, dict) else {}
        except Exception:  # noqa: BLE001 - empty or torn lock file (a kill while writing it): judged by age
            return {}

    def describe_holder(self, holder: dict) -> str:
        if not holder:
            return f"an unreadable lock file {self.file}"
        return (f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started_at')} "
                f"({holder.get('purpose', '?')}; lock file {self.file})")

    def _dead(self, holder: dict) -> bool:
        alive = _alive(holder)
        if alive is not None:
            return not alive
        return time.time() - self.fs.mtime(self.file) > STALE_LOCK_SECONDS

    def try_acquire(self, echo: Callable[[str], None]) -> dict | None:
        """Take the lock; returns None when taken, else the live holder."""
        for _ in range(5):
            if self.fs.create_exclusive(self.file, self._content()):
                self._start_heartbeat()
                return None
            holder = self._holder()
            try:
                if not self._dead(holder):
                    return holder or {"unreadable": True}
            except OSError:  # released between our look and now: try again
                continue
            # Take over by renaming the dead lock aside: of two runs doing this at once, one rename fails.
            aside = f"{self.file}.dead-{self.token}"
            try:
                self.fs.rename(self.file, aside)
            except OSError:
                continue
            echo(f"taking over the lock of a run that is gone: {self.describe_holder(holder)}")
            self.fs.delete(aside)
        raise LockHeld(f"{self.purpose}: could not take the lock {self.file} (contended); try again")

    def acquire(self, echo: Callable[[str], None], wait: float | None = None) -> None:
        """Take the lock or raise LockHeld naming the holder; with `wait` (seconds, 0 = forever) poll until free."""
        deadline = None if not wait else time.time() + wait
        said = 0.0
        while True:
            holder = self.try_acquire(echo)
            if holder is None:
                return
            who = self.describe_holder(holder if "unreadable" not in holder else {})
            if wait is None:
                raise LockHeld(f"{self.purpose}: {self.path} is in use by another dps run: {who}; wait for it "
                               f"(dps run --wait) or, if that run is gone, delete the lock file")
            if deadline is not None and time.time() > deadline:
                raise LockHeld(f"{self.purpose}: {self.path} still in use after waiting {wait:.0f}s: {who}")
            if time.time() - said > 60:
                echo(f"waiting for {self.path}: in use by {who}")
                said = time.time()
            time.sleep(2)

    def _start_heartbeat(self) -> None:
        def beat():
            while not self._stop.wait(HEARTBEAT_SECONDS):
                try:
                    self.fs.touch(self.file)
                except Exception:  # noqa: BLE001 - a missed beat is harmless; STALE_LOCK_SECONDS is ten of them
                    pass

        self._thread = threading.Thread(target=beat, name=f"dps-lock-{self.token}", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        try:
            if self._holder().get("token") == self.token:  # never delete a lock that was taken over from us
                self.fs.delete(self.file)
        except Exception:  # noqa: BLE001 - a lock left behind is dead (same pid gone) and taken over next time
            pass


class Locks:
    """Several locks taken in a fixed order (so two runs waiting on each other cannot deadlock)."""

    def __init__(self, locks: Iterable[Lock]):
        self.locks = sorted(locks, key=lambda lock: lock.file)
        self.held: list[Lock] = []

    def acquire(self, echo: Callable[[str], None], wait: float | None = None) -> "Locks":
        try:
            for lock in self.locks:
                lock.acquire(echo, wait)
                self.held.append(lock)
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        for lock in reversed(self.held):
            lock.release()
        self.held = []


# ------------------------------------------------------------------------------------------------------ commit

def commit_folder(fs, path: str, staging: str, run_token: str, *, crash_point: Callable[[str], None] = lambda _: None,
                  label: str = "output") -> None:
    """Swap a complete, synced staging folder in at `path`, then delete the replaced copy.

    Where the file system can exchange two names atomically (local Linux file systems), `path` always holds the
    previous or the new folder, and the previous one ends under the hidden staging name (deleted here, or by the
    next run's recovery). Elsewhere two renames: between them `path` is briefly absent, and a kill there leaves
    the previous folder under a hidden old name, which the next run's recovery renames back."""
    old = old_path(path, run_token)
    had_old = fs.exists(path)
    if had_old and fs.exchange(staging, path):
        fs.sync_parent(path)
        crash_point(f"{label}:swapped_in")
        fs.delete(staging)  # now the previous folder
        return
    if had_old:
        fs.rename(path, old)
        fs.sync_parent(path)
        crash_point(f"{label}:moved_aside")
    try:
        fs.rename(staging, path)
    except BaseException:
        if had_old:  # put the previous output back rather than leave the path empty
            fs.rename(old, path)
        raise
    fs.sync_parent(path)
    crash_point(f"{label}:swapped_in")
    if had_old:
        fs.delete(old)


def replace_file(fs, folder: str, file_name: str, text: str, run_token: str,
                 crash_point: Callable[[str], None] = lambda _: None, label: str = "output") -> None:
    """Replace one file of a committed folder in one step: written and synced beside the folder under a hidden
    name (a kill leaves the previous file in place and a leftover the next run's recovery deletes), then renamed
    over the old file."""
    temp = report_temp_path(folder, run_token)
    fs.write_text(temp, text)
    crash_point(f"{label}:final_report_written")
    fs.replace(temp, f"{folder}/{file_name}")
    fs.sync_parent(f"{folder}/{file_name}")


# ------------------------------------------------------------------------------------------------ local files

class LocalFS:
    """The file operations dps needs, on local paths (profiles, `dps index stats/check`, tests)."""

    local = True

    def exists(self, p: str) -> bool:
        return os.path.exists(p)

    def is_dir(self, p: str) -> bool:
        return os.path.isdir(p)

    def write_text(self, p: str, text: str) -> None:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def create_exclusive(self, p: str, text: str) -> bool:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        return True

    def touch(self, p: str) -> None:
        os.utime(p)

    def mtime(self, p: str) -> float:
        return os.path.getmtime(p)

    def rename(self, src: str, dst: str) -> None:
        os.rename(src, dst)

    def replace(self, src: str, dst: str) -> None:
        """Rename a file over an existing one, atomically (POSIX rename)."""
        os.replace(src, dst)

    def exchange(self, a: str, b: str) -> bool:
        """Swap two existing paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
        return exchange_local(a, b)

    def delete(self, p: str) -> None:
        import shutil

        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.remove(p)

    def drop_checksums(self, p: str) -> None:
        pass  # only Hadoop writes .crc side files

    def list_names(self, p: str) -> list[str]:
        return sorted(os.listdir(p))

    def read_text(self, p: str) -> str:
        with open(p, encoding="utf-8") as fh:
            return fh.read()

    def size(self, p: str) -> int:
        if os.path.isfile(p):
            return os.path.getsize(p)
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(p) for f in fs)

    def sync_tree(self, p: str) -> None:
        sync_local_tree(p)

    def sync_parent(self, p: str) -> None:
        sync_local_dir(os.path.dirname(p.rstrip("/")))


def exchange_local(a: str, b: str) -> bool:
    if os.environ.get("DPS_NO_RENAME_EXCHANGE"):  # tests of the two-rename commit used elsewhere
        return False
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):  # file system or kernel without it
        return False
    raise OSError(err, os.strerror(err), a)


def sync_local_dir(folder: str) -> None:
    """fsync a folder's entry list, so renames and new files in it survive a power loss."""
    try:
        fd = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_local_tree(path: str) -> None:
    """fsync every file under `path` and the folders holding them (what a commit point relies on)."""
    if os.path.isfile(path):
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        return
    for folder, _, files in os.walk(path):
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                os.fsync(fh.fileno())
        sync_local_dir(folder)


# ------------------------------------------------------------------------------------------------- a whole run

NIGHTLY_MARKER = "_dps_nightly.json"  # in an output root of nightly runs: the index they were deduplicated with


@dataclass(frozen=True)
class RunOptions:
    """What the user may force or ask for on the command line (`dps run --wait/--replace-unknown-output/...`)."""

    wait: float | None = None  # seconds to wait for another run's lock (0: as long as it takes); None: refuse
    replace_unknown_output: bool = False  # replace an output folder dps did not write
    without_index: bool = False  # run a night without the index its output root was written with


@dataclass
class Target:
    key: str  # config key, for messages
    path: str  # the folder this run publishes
    root: str  # the configured path (the parent of run_id=<id> folders in nightly runs)


class RunGuard:
    """The locks, recovery and checks of one run, before any Spark work; then the commit order.

    fs_for(path) returns a file system object for a path (HadoopFS under Spark, LocalFS in tests)."""

    def __init__(self, fs_for: Callable, config, options: RunOptions, echo: Callable[[str], None]):
        self.config, self.options, self.echo = config, options, echo
        self.token = token()
        self.targets = [Target("output.path", config.run_path(config.output.path), config.output.path)]
        if config.output.rejected_path:
            self.targets.append(Target("output.rejected_path", config.run_path(config.output.rejected_path),
                                       config.output.rejected_path))
        self.fs = {t.path: fs_for(t.path) for t in self.targets}
        locks = [Lock(self.fs[t.path], t.path, t.key) for t in self.targets]
        self.index_fs = None
        if config.index is not None:
            self.index_fs = fs_for(config.index.path)
            locks.append(Lock(self.index_fs, config.index.path, "index.path",
                              lock_file=f"{config.index.path.rstrip('/')}/.dps-lock"))
        self.locks = Locks(locks)

    def open(self) -> "RunGuard":
        """Lock every output and the index, resolve what killed runs left, refuse what must not be replaced."""
        try:
            self.locks.acquire(self.echo, self.options.wait)
        except OSError as exc:  # a read-only or missing parent: before any work
            raise ConfigError(f"{self.config.source}: cannot write beside the outputs: {exc}") from None
        try:
            for t in self.targets:
                recover(self.fs[t.path], t.path, self.echo)
                check_replaceable(self.fs[t.path], t.path, OUTPUT, t.key, force=self.options.replace_unknown_output,
                                  force_hint="--replace-unknown-output")
            self._check_nightly_root()
        except BaseException:
            self.locks.release()
            raise
        return self

    def _check_nightly_root(self) -> None:
        """A night rerun without the index its output root was written with would publish undeduplicated output."""
        config = self.config
        if config.run_id is None or self.options.without_index:
            return
        out = self.targets[0]
        fs = self.fs[out.path]
        used = None
        marker = f"{out.root.rstrip('/')}/{NIGHTLY_MARKER}"
        try:
            if fs.exists(marker):
                used = json.loads(fs.read_text(marker)).get("index")
            elif fs.exists(f"{out.path}/_dps_report.json"):  # written before the marker existed
                used = (json.loads(fs.read_text(f"{out.path}/_dps_report.json")).get("index") or {}).get("path")
        except (ValueError, AttributeError):
            used = None
        mine = config.index.path.rstrip("/") if config.index else None
        if used and used.rstrip("/") != mine:
            now = f"this run uses {mine}" if mine else "this run has no index.path"
            raise ConfigError(f"{config.source}: index.path: the nightly outputs in {out.root} were deduplicated "
                              f"with the index {used}; {now}, so it would publish documents earlier nights already "
                              f"hold and the index would disagree with the output. Set index.path (scripts/nightly.sh: "
                              f"DPS_INDEX) to {used}, or pass --without-index to run anyway")

    def mark_nightly_root(self) -> None:
        """Before the first commit of an indexed night: the output root remembers its index."""
        config = self.config
        if config.run_id is None or config.index is None:
            return
        out = self.targets[0]
        fs = self.fs[out.path]
        marker = f"{out.root.rstrip('/')}/{NIGHTLY_MARKER}"
        if not fs.exists(marker):
            fs.write_text(marker, json.dumps({"index": config.index.path}) + "\n")

    def close(self) -> None:
        self.locks.release()
