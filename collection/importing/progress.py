"""Progress on the command line, drawn only on a terminal (or when asked)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.utils.translation import gettext as _


class ProgressBar:
    """A bar redrawn in place, ``bar(done, total)``; ``bar.finish()`` replaces it with the time the step took.

    It redraws at most a few times a second, and at once when what is counted
    changes (``bar(done, total, "written")`` after ``"checked"``).
    """

    width = 30

    def __init__(self, stream: IO[str], label: str, *, force: bool = False) -> None:
        self.stream = stream
        self.label = label
        self.enabled = force or bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self._last = 0.0
        self._counted = ""
        self._length = 0

    def __call__(self, done: int, total: int, counted: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if counted == self._counted and done < total and now - self._last < 0.2:
            return
        self._last, self._counted = now, counted
        # Rounded down: 100% only when everything is done.
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% {done:,}/{total:,}"
        self._draw(f"{line} {counted}" if counted else line)

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
    """The writer's ``progress(stage, done, total)`` callback for an import, drawn as a :class:`ProgressBar`.

    The rows checked count against the file's ``rows``, the rows written against
    the writer's own total.
    """

    def __init__(self, stream: IO[str], label: str, rows: int, *, force: bool = False) -> None:
        self.bar = ProgressBar(stream, label, force=force)
        self.rows = rows

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        self.bar(done, self.rows if total is None else total, _("checked") if stage == "checking" else _("written"))

    def finish(self) -> None:
        self.bar.finish()
