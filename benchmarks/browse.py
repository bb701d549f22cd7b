"""Time the browse page over synthetic records.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_wt6 python manage.py migrate
    DATABASE_URL=... python manage.py generate_synthetic_records 1000000
    DATABASE_URL=... python -m benchmarks.browse --runs 30

Prints, per scenario, the median and 95th percentile of the whole page (count,
one page of results, every facet) through Django's test client — served from
the version-stamped facet cache after the first request — and of the same work
computed from scratch (``use_cache=False``), beside the time of a raw
``SELECT count(*)`` of published records in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=10)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from collection.models import Record
    from collection.views.browse import browse_context

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    total = Record.objects.count()
    if not total or Record.objects.exclude(identifier__startswith="synthetic-").exists():
        raise SystemExit("Run this on a database filled by generate_synthetic_records only.")
    scenarios = {
        "browse": "",
        "search 'camp'": "q=camp",
        "search '抑留'": "q=%E6%8A%91%E7%95%99",
        "two facets": "kind=memoir&place=synthetic-place-3",
        "search + two facets": "q=letter&kind=document&decade=1950",
    }
    client = Client()
    print(f"{connection.vendor}, {total} records ({Record.objects.published().count()} published)")

    def raw_count() -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM collection_record WHERE status = %s", ["published"])
            cursor.fetchone()
        return (time.perf_counter() - start) * 1000

    print(f"{'scenario':24} {'page median':>12} {'page p95':>10} {'cold median':>12} {'cold p95':>10} "
          f"{'raw count':>10}")
    for name, query in scenarios.items():
        url = f"/en/records/?{query}"
        assert client.get(url).status_code == 200  # fills the cache for this state
        page = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url)
            page.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        cold = []
        for _ in range(args.cold_runs):
            start = time.perf_counter()
            context = browse_context(QueryDict(query), "en", use_cache=False)
            assert context["records"] is not None
            cold.append((time.perf_counter() - start) * 1000)
        counts = [raw_count() for _ in range(5)]
        print(f"{name:24} {statistics.median(page):10.1f}ms {percentile(page, .95):8.1f}ms "
              f"{statistics.median(cold):10.1f}ms {percentile(cold, .95):8.1f}ms {statistics.median(counts):8.1f}ms")


if __name__ == "__main__":
    main()
