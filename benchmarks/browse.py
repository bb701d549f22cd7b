"""Time the browse page over synthetic records, on filter states that never repeat.

    createdb bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python manage.py migrate
    DATABASE_URL=... python manage.py generate_synthetic_records 1000000
    DATABASE_URL=... python -m benchmarks.browse [--runs 40] [--seed 6]

Each scenario draws ``--runs`` different filter states at random (facet values,
search terms, sort, page), so no state is ever served twice and nothing but the
facet index is reused between requests. Each request is the whole page (result
count, one page of results, every facet's counts) through Django's test client.
Printed per scenario: median and 95th percentile, the median processor time
this process spent on a page (the rest is the database's work and waiting for
a core on a busy machine), the median number of results, and for the same
states the median time of the index's word matching alone and, for comparison,
of the same search in the database (the ids of the search rows it matches).
Then the feed of new records (``/en/records.atom``), whole, unfiltered and
filtered by one place (a different one each time): median and 95th percentile.
Then the same run's raw ``SELECT count(*)`` of published records, the time to
build the facet index from scratch and its size, and the time to catch up after
one record is withdrawn (and published again).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlencode


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# Search terms, by script. Common words of the synthetic titles match about 6 % of the records each;
# names and numbers match a few hundred records or one.
LATIN_WORDS = ["letter", "diary", "memoir", "report", "railway", "forest", "testimony", "winter", "labour",
               "pismo", "dnevnik", "lager", "prikaz", "spisok", "voennoplennyi", "zima", "otchet", "arkhiv"]
CYRILLIC_WORDS = ["письмо", "дневник", "лагерь", "приказ", "отчёт", "зима", "список", "архив", "военнопленный"]
JAPANESE_WORDS = ["抑留", "遺書", "収容所", "記録", "手紙", "日記", "帰還", "シベリア", "回想", "労働", "望郷", "捕虜",
                  "証言", "写真", "森林", "鉄道", "仲間"]
FAMILY = ["Synthtest", "Probnikov", "Testov", "Shiken", "Gosei", "Kakuu", "Obrazets", "Primerov"]


class States:
    """Random filter states over the synthetic vocabularies, none of them drawn twice."""

    def __init__(self, seed: int) -> None:
        from collection.models import Agent, Place, Record, Subject

        self.rng = random.Random(seed)
        self.seen: set[str] = set()
        # Only entries a published record has: the pages refuse the others (an entry only drafts have included).
        self.values = {
            "kind": ["memoir", "document", "association"],
            "language": ["ja", "ru", "en"],
            "decade": [*[str(d) for d in range(1940, 2000, 10)], "undated"],
            "place": list(Place.objects.with_public_page().filter(identifier__startswith="synthetic-").values_list(
                "identifier", flat=True)),
            "subject": list(Subject.objects.with_public_page().filter(
                identifier__startswith="synthetic-subject-").values_list("identifier", flat=True)),
            "agent": list(Agent.objects.with_public_page().filter(identifier__startswith="synthetic-agent-")
                          .values_list("identifier", flat=True)),
            "repository": list(Agent.objects.filter(
                identifier__startswith="synthetic-repository-",
                pk__in=Record.objects.published().values("repository")).values_list("identifier", flat=True)),
            # Not "has_scans": synthetic records have no scans, and an empty result would flatter the figures.
        }
        self.agents = len(self.values["agent"])

    def _facets(self, count: int) -> list[tuple[str, str]]:
        names = self.rng.sample(sorted(self.values), count)
        return [(name, self.rng.choice(self.values[name])) for name in names]

    def latin(self) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return self.rng.choice(LATIN_WORDS + CYRILLIC_WORDS)
        number = self.rng.randrange(self.agents)
        if roll < 0.8:
            return f"{FAMILY[number % len(FAMILY)]} {number}"  # an author's name: a few hundred records
        return f"{self.rng.choice(['letter', 'diary', 'memoir'])} {number}"

    def japanese(self) -> str:
        if self.rng.random() < 0.7:
            return self.rng.choice(JAPANESE_WORDS)
        return "".join(self.rng.sample(JAPANESE_WORDS, 2))  # two words: ~0.3 % of the records

    def draw(self, make: Callable[[], list[tuple[str, str]]]) -> str:
        for _ in range(1000):
            params = make()
            if self.rng.random() < 0.5:
                params.append(("sort", self.rng.choice(["title", "-title", "date", "-date"])))
            params.append(("page", str(self.rng.choice([1, 1, 1, 2, 3, 10]))))
            query = urlencode(params)
            if query not in self.seen:
                self.seen.add(query)
                return query
        raise RuntimeError("ran out of distinct states")

    def scenarios(self) -> dict[str, Callable[[], list[tuple[str, str]]]]:
        return {
            "browse (none or one facet)": lambda: self._facets(self.rng.choice([0, 1, 1])),
            "search, Latin or Cyrillic": lambda: [("q", self.latin())],
            "search, Japanese": lambda: [("q", self.japanese())],
            "two facets": lambda: self._facets(2),
            "search + one or two facets": lambda: [("q", self.rng.choice([self.latin, self.japanese])()),
                                                   *self._facets(self.rng.choice([1, 2]))],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--each", action="store_true", help="print every request's time and state")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from collection.facets import browse_filterset, browse_result, index_query
    from collection.facets.columns import Column, fetch
    from collection.facets.index import FacetIndex, facet_index, read_stamp
    from collection.models import Record, RecordSearch, Status
    from collection.search import search_condition

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    total = Record.objects.count()
    if not total or Record.objects.exclude(identifier__startswith="synthetic-").exists():
        raise SystemExit("Run this on a database filled by generate_synthetic_records only.")
    print(f"{connection.vendor}, {total} records ({Record.objects.published().count()} published)")

    def timed(work: Callable[[], object]) -> float:
        start = time.perf_counter()
        work()
        return (time.perf_counter() - start) * 1000

    builds = [timed(lambda: FacetIndex().build(read_stamp("default"))) for _ in range(2)]
    state = FacetIndex().build(read_stamp("default"))
    timed(lambda: facet_index().current())  # this process's index, for the pages below

    client = Client()
    states = States(args.seed)
    print(f"\n{'scenario':30} {'median':>9} {'p95':>9} {'cpu':>8} {'results':>9} {'in index':>11} "
          f"{'in database':>12}")
    for name, make in states.scenarios().items():
        queries = [states.draw(make) for _ in range(args.runs)]
        pages, cpu, results = [], [], []
        for number, query in enumerate(queries):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/en/records/?{query}")
            if response.status_code == 404 and "page=" in query:
                # A page beyond the last of a narrow state answers 404: time its first page instead.
                query = queries[number] = "&".join(p for p in query.split("&") if not p.startswith("page="))
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(f"/en/records/?{query}")
            pages.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, query
            if args.each:
                print(f"    {pages[-1]:7.1f}ms  {query}")
        in_index, in_database = [], []
        for query in queries:  # the same states again, untimed but for the search alone
            filterset = browse_filterset(QueryDict(query))
            words = index_query(filterset).words
            if words:
                current = facet_index().current()
                in_index.append(timed(lambda words=words, current=current: current.text.matching(
                    words, current.slot_count)))
                condition = search_condition(QueryDict(query)["q"], prefix="")
                in_database.append(timed(lambda condition=condition: fetch(
                    RecordSearch.objects.filter(condition), [Column("record_id", "int8")])))
            results.append(browse_result(filterset).count)
        searched = (f"{statistics.median(in_index):9.1f}ms {statistics.median(in_database):10.1f}ms"
                    if in_index else f"{'-':>11} {'-':>12}")
        print(f"{name:30} {statistics.median(pages):7.1f}ms {percentile(pages, .95):7.1f}ms "
              f"{statistics.median(cpu):6.1f}ms {int(statistics.median(results)):9d} {searched}")

    everything = [timed(lambda: client.get("/en/records/?q=camp")) for _ in range(3)]
    print(f"{'search matching all (camp)':30} {statistics.median(everything):7.1f}ms")

    def feed(query: str) -> None:
        response = client.get(f"/en/records.atom?{query}" if query else "/en/records.atom")
        assert response.status_code == 200, query

    places = states.rng.sample(states.values["place"], min(args.runs, len(states.values["place"])))
    for name, queries in (("feed, unfiltered", [""] * args.runs),
                          ("feed, one place", [urlencode([("place", place)]) for place in places])):
        times = [timed(lambda query=query: feed(query)) for query in queries]
        print(f"{name:30} {statistics.median(times):7.1f}ms {percentile(times, .95):7.1f}ms")

    def raw_count() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM collection_record WHERE status = %s", [Status.PUBLISHED])
            cursor.fetchone()

    counts = [timed(raw_count) for _ in range(5)]
    print(f"\nraw SELECT count(*) of published records: {statistics.median(counts):.1f}ms")
    print(f"facet index: built from scratch in {min(builds) / 1000:.2f}s (best of 2), "
          f"{state.nbytes / 2**20:.0f} MiB for {state.live} records")

    record = Record.objects.published().order_by("?").values_list("pk", flat=True).first()
    index = facet_index()
    before = index.current().live
    Record.objects.filter(pk=record).update(status=Status.WITHDRAWN)
    catch_up = timed(index.current)
    assert index.current().live == before - 1
    Record.objects.filter(pk=record).update(status=Status.PUBLISHED)
    page = timed(lambda: client.get("/en/records/?kind=memoir&decade=1950"))
    assert index.current().live == before
    print(f"one record withdrawn: the index caught up in {catch_up:.1f}ms; published again, the next whole "
          f"page (catching up included) took {page:.1f}ms")


if __name__ == "__main__":
    main()
