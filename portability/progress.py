"""A progress bar for the commands, in Django's own output (no extra library): rows done,
the rate, and the time left, redrawn in place on a terminal and line by line otherwise."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    WIDTH = 30

    def __init__(self, out: TextIO, *, total: int | None, label: str = "rows", tty: bool | None = None) -> None:
        self.out = out
        self.total = total
        self.label = label
        self.started = time.monotonic()
        self.tty = out.isatty() if tty is None else tty
        self.last_line = 0.0

    def line(self, done: int) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        if self.total:
            share = min(done / self.total, 1.0)
            filled = int(share * self.WIDTH)
            bar = "[" + "#" * filled + "-" * (self.WIDTH - filled) + "]"
            left = (self.total - done) / rate if rate > 0 else 0
            return (
                f"{bar} {done:,}/{self.total:,} {self.label}  {rate:,.0f} {self.label}/s  "
                f"{_clock(elapsed)} so far, about {_clock(left)} left"
            )
        return f"{done:,} {self.label}  {rate:,.0f} {self.label}/s  {_clock(elapsed)} so far"

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if self.tty:
            self.out.write("\r" + self.line(done))
            self.out.flush()
        elif now - self.last_line >= 2 or (self.total and done >= self.total):
            self.out.write(self.line(done) + "\n")
            self.last_line = now

    def finish(self, done: int) -> None:
        if self.tty:
            self.out.write("\r" + self.line(done) + "\n")
            self.out.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
