"""Progress display for batch runs: a rich bar on a terminal, plain lines otherwise (CI)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

__all__ = ["Progress"]


class Progress:
    """``start(done, total, executor)`` and ``update(done, total, seconds)`` callbacks."""

    def __init__(self, console: Console, quiet: bool = False, every: float = 5.0) -> None:
        self.console = console
        self.quiet = quiet
        self.every = every
        self.rich = console.is_terminal and not quiet
        self._bar: RichProgress | None = None
        self._task = None
        self._done0 = 0
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, done: int, total: int, executor: str) -> None:
        self._done0 = done
        self._t0 = time.perf_counter()
        if self.quiet:
            return
        self.console.print(f"{total} runs ({done} already stored) on {executor}",
                           highlight=False)
        if self.rich:
            self._bar = RichProgress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(),
                                     TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
                                     TimeElapsedColumn(), TextColumn("ETA"),
                                     TimeRemainingColumn(), console=self.console)
            self._bar.start()
            self._task = self._bar.add_task("runs", total=total, completed=done, rate="")

    def update(self, done: int, total: int, seconds: float) -> None:
        if self.quiet:
            return
        new = done - self._done0
        rate = new / seconds if seconds > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else float("nan")
        if self._bar is not None:
            self._bar.update(self._task, completed=done, rate=f"{rate:.1f} runs/s")
            return
        now = time.perf_counter()
        if done < total and now - self._last < self.every:
            return
        self._last = now
        self.console.print(f"{done}/{total} runs, {rate:.1f} runs/s, elapsed {seconds:.0f} s, "
                           f"ETA {eta:.0f} s", highlight=False)
