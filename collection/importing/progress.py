"""A progress bar for management commands, drawn only on a terminal."""

from __future__ import annotations

import time
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
