"""Crawl progress: a rich progress bar on a terminal, plain log lines under cron or systemd."""

from __future__ import annotations

import logging
import sys
import time

log = logging.getLogger("pipeline.crawl")


class Progress:
    """mode: "bar" (always a bar), "log" (always lines), "auto" (a bar only when stderr is a terminal)."""

    def __init__(self, mode: str = "auto", every_seconds: float = 10.0) -> None:
        self.use_bar = mode == "bar" or (mode == "auto" and sys.stderr.isatty())
        self.total = 0
        self.done = 0
        self.every = every_seconds
        self._last = time.monotonic()
        self._bar = None
        self._task = None
        if self.use_bar:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("crawl"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), TextColumn("{task.description}"), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=0)

    def add_total(self, n: int) -> None:
        self.total += n
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=self.total)

    def advance(self, url: str) -> None:
        self.done += 1
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done, description=url[-60:])
            return
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            print(f"crawl: {self.done} of {self.total} URLs done", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
