"""Time the catalogue writer: a new import, the same file again, export, and import of the export.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python benchmarks/catalogue_writer.py [ROWS]

Runs against a migrated database and rolls everything back at the end, so it leaves the data as it was.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from collection.catalogue.csv_io import read_csv  # noqa: E402
from collection.catalogue.export import export_csv_chunks  # noqa: E402
from collection.catalogue.writer import write_rows  # noqa: E402
from collection.models import Place, Record  # noqa: E402


def timed(label: str, function: Callable[..., Any], *args: Any) -> Any:
    start = time.perf_counter()
    value = function(*args)
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return value


def main(count: int) -> None:
    with transaction.atomic():
        Place.objects.create(identifier="place-bench", kind="city")
        rows = [(number, {
            "identifier": f"doc-bench-{number:06d}", "kind": "document", "status": "published",
            "title_en": f"Benchmark record {number}", "title_ru": f"Тестовая запись {number}", "languages": "ru",
            "places": "place-bench", "authors": f"Benchmark Author {number % 50}", "date": f"{1945 + number % 12}",
            "isbn": "978-0-00-000001-9",
        }) for number in range(2, count + 2)]
        result = timed(f"import {count} new rows", write_rows, rows)
        assert result.ok, result.errors[:5]
        timed(f"import the same {count} rows again (all unchanged)", write_rows, rows)
        data = timed(f"export {Record.objects.count()} records",
                     lambda: b"".join(export_csv_chunks(Record.objects.all())))
        again = timed("import of the export", write_rows, read_csv(data))
        assert not again.created and not again.updated
        transaction.set_rollback(True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
