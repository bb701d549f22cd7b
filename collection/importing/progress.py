"""Progress on the command line, drawn only on a terminal (or when asked)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO


class ProgressBar:
    """``bar(done, total)`` redraws at most a few times a second; ``bar.finish()`` ends the line."""

    width = 30

    def __init__(self, stream: IO[str], label: str, *, force: bool = False) -> None:
        self.stream = stream
        self.label = label
        self.enabled = force or bool(getattr(stream, "isatty", lambda: False)())
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.2:
            return
        self._last = now
        filled = round(self.width * done / total)
        percent = round(100 * done / total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% "
                          f"{done:,}/{total:,}")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


class Working:
    """A line that counts the seconds while one long step runs, for steps with no partial count to show.

    The writer checks and writes a whole file in one transaction, so the command
    line shows that it is alive and how long it has been working, not a percentage.
    """

    def __init__(self, stream: IO[str], *, force: bool = False) -> None:
        self.stream = stream
        self.enabled = force or bool(getattr(stream, "isatty", lambda: False)())

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        started = time.monotonic()
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(0.5):
                self.stream.write(f"\r{label} {time.monotonic() - started:.0f} s")
                self.stream.flush()

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
            self.stream.write(f"\r{label} done in {time.monotonic() - started:.1f} s\n")
            self.stream.flush()
