#!/usr/bin/env python3
"""Runs one phase of the test suite under a bound, and names what hung if it passes.

    python3 tools/test_watchdog.py --limit 900 --name "parallel phase" -- swift test --skip-build ...

Why: a test that waits for ever (a deadlock, a socket nobody closes) used to stall CI until its
90-minute limit, with nothing in the log to say which test it was. This wrapper streams the
runner's output unchanged, keeps the set of Swift Testing tests and suites that started and
have not finished, and:

- every `--report` seconds without the phase ending, prints the tests running longer than that;
- at `--limit` seconds, prints every test and suite still running, stops the runner and every
  process below it (SIGTERM, then SIGKILL after a grace) and exits 124.

The runner's own exit status is passed through otherwise. Only the standard library is used,
so it runs before the venv exists.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

# Swift Testing's console lines: "◇ Test name() started.", "✔ Test name() passed after 0.1
# seconds.", "✔ Test name(x:) with 8 test cases passed after ...", "✘ Test name() failed after
# ...", "➜ Test name() skipped". Suites likewise. A parameterised test's cases print a start
# line and no end line, so they are not tracked; their test is.
STARTED = re.compile(r"^\S+ (Test|Suite) (?!case )(.+?) started\.$")
ENDED = re.compile(r"^\S+ (Test|Suite) (?!case )(.+?)(?: with \d+ test cases?)? (?:passed|failed|skipped|recorded a known issue)\b")


class Tracker:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: Counter[tuple[str, str]] = Counter()
        self.since: dict[tuple[str, str], float] = {}

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        if m := STARTED.match(line):
            key = (m.group(1), m.group(2))
            with self.lock:
                self.running[key] += 1
                self.since.setdefault(key, time.monotonic())
        elif m := ENDED.match(line):
            key = (m.group(1), m.group(2))
            with self.lock:
                if self.running[key] > 0:
                    self.running[key] -= 1
                if self.running[key] <= 0:
                    self.running.pop(key, None)
                    self.since.pop(key, None)

    def still_running(self, older_than: float = 0) -> list[str]:
        now = time.monotonic()
        with self.lock:
            rows = [(now - self.since.get(key, now), key[0], key[1]) for key, count in self.running.items() if count > 0]
        rows = [row for row in rows if row[0] >= older_than]
        return [f"  {kind} {name} (running for {age:.0f} s)" for age, kind, name in sorted(rows, reverse=True)]


def descendants(root: int) -> list[int]:
    """Every process below `root`, from /proc: `swift test` starts the test binary in a process
    group of its own, so signalling the runner's group alone would leave a hung binary behind."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # The command may hold spaces and parentheses: the parent pid follows the last ")".
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, queue = [], [root]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=float, required=True, help="seconds the phase may take in all")
    parser.add_argument("--report", type=float, default=300, help="report tests running longer than this many seconds")
    parser.add_argument("--grace", type=float, default=15, help="seconds between SIGTERM and SIGKILL")
    parser.add_argument("--name", default="tests", help="what the phase is called in messages")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    # Line-buffered output: into a pipe the runner's stdio would hold back up to a block of
    # lines, and the "started" line of the very test that hangs would be among them.
    if shutil.which("stdbuf"):
        command = ["stdbuf", "-oL", "-eL", *command]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                               bufsize=1, text=True, errors="replace")
    tracker = Tracker()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            tracker.feed(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()

    next_report = started + args.report
    while True:
        try:
            status = process.wait(timeout=1)
            reader.join(timeout=10)
            return status
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        if now - started >= args.limit:
            break
        if now >= next_report:
            slow = tracker.still_running(older_than=args.report)
            if slow:
                print(f"watchdog: {args.name}: still running after {now - started:.0f} s:", *slow, sep="\n", flush=True)
            next_report = now + args.report

    running = tracker.still_running()
    print(f"\nwatchdog: {args.name} passed its bound of {args.limit:.0f} s; still running:", flush=True)
    print("\n".join(running) if running else "  (no test had started and not finished: the hang is outside any test)", flush=True)
    # The whole tree, not only the runner's process group: the test binary has a group of its own.
    tree = [process.pid, *descendants(process.pid)]
    for pid in tree:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=args.grace)
    except subprocess.TimeoutExpired:
        pass
    for pid in [*tree, *descendants(process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)  # the test binary ignores SIGTERM
        except ProcessLookupError:
            pass
    process.wait()
    print(f"watchdog: {args.name} FAILED: it hung (see the list above)", flush=True)
    return 124


if __name__ == "__main__":
    sys.exit(main())
