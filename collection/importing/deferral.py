"""Leave readings and romanizations out of an import, to be derived afterwards by a task.

Deriving a kana reading is a dictionary lookup per word: on a file of thousands
of rows it would dominate the import. The import paths (the command and the
admin) run the writer inside :func:`deferred_derivation` and queue
``collection.tasks.derive_missing_forms`` for the records they wrote. A context
variable, not a setting, so that other callers of the writer (the fixture loader)
and other threads are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deferred: ContextVar[bool] = ContextVar("collection_derivation_deferred", default=False)


@contextmanager
def deferred_derivation() -> Iterator[None]:
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def derivation_deferred() -> bool:
    return _deferred.get()
