"""Count the browse page's facets ahead of visitors (after an import, say)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from ...facets import warm


class Command(BaseCommand):
    help = "Count facets for the unfiltered browse page (and any query strings given) into the facet cache."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("queries", nargs="*", help="Query strings such as 'kind=memoir' to count as well.")

    def handle(self, *args: Any, queries: list[str], **options: Any) -> None:
        started = time.monotonic()
        count = warm(["", *queries])
        self.stdout.write(f"{count} filter states counted in {time.monotonic() - started:.1f}s")
