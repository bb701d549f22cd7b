"""Rebuild every record's search keys, as the current code makes them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ...search import rebuild_search_index


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # Made when the parser is: argparse takes text, not a lazy translation.
        return _("Rebuild the search keys of every record (after an upgrade that changes what is searched).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count = rebuild_search_index()
        self.stdout.write(ngettext("Search keys of %(count)s record rebuilt in %(seconds).1f s.",
                                   "Search keys of %(count)s records rebuilt in %(seconds).1f s.", count)
                          % {"count": count, "seconds": time.monotonic() - started})
