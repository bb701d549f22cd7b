"""Progress on the command line, drawn only on a terminal (or when asked)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.utils.translation import gettext as _


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

    Reading a file is one such step (its rows are counted once it is read); the
    writer's checking and writing are counted row by row (:class:`RowsProgress`).
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


class RowsProgress:
    """A bar over the rows of an import: every row checked, then every row that changes written.

    An instance is the writer's ``progress(stage, done, total)`` callback: the rows
    checked count against the file's ``rows``, the rows written against the writer's
    own total. It redraws at most a few times a second; ``finish()`` replaces the bar
    with the time the whole step took.
    """

    width = 30

    def __init__(self, stream: IO[str], label: str, rows: int, *, force: bool = False) -> None:
        self.stream = stream
        self.label = label
        self.rows = rows
        self.enabled = force or bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self._last = 0.0
        self._stage = ""
        self._length = 0

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        total = self.rows if total is None else total
        now = time.monotonic()
        if stage == self._stage and done < total and now - self._last < 0.2:
            return
        self._last, self._stage = now, stage
        # Rounded down: 100% only when every row is done.
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        counted = _("checked") if stage == "checking" else _("written")
        self._draw(f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% "
                   f"{done:,}/{total:,} {counted}")

    def _draw(self, line: str) -> None:
        # Spaces over what is left of a longer line before: no terminal codes, so a log file stays readable.
        self.stream.write("\r" + line + " " * max(0, self._length - len(line)))
        self.stream.flush()
        self._length = len(line)

    def finish(self) -> None:
        if not self.enabled:
            return
        self._draw(f"{self.label} done in {time.monotonic() - self.started:.1f} s")
        self.stream.write("\n")
        self.stream.flush()
