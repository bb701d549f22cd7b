"""Fill an empty database with synthetic records for benchmarks.

Everything made here is marked synthetic: identifiers start with ``synthetic-``,
titles say "synthetic", and every record carries the subject ``synthetic-data``.
Records ever published (published or withdrawn) are given a made-up date of first
publication, spread over the three years before the run, so that the feed of new
records has an order to read; like the rest, they have no history.
The command refuses to run on a database holding any other record, so synthetic
and catalogued data never mix. Rows are written with COPY on PostgreSQL and
``executemany`` elsewhere, then search keys are built by the same functions the
site uses.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from ...conf import app_settings
from ...models import (
    Agent,
    AgentKind,
    AgentName,
    Language,
    Place,
    PlaceKind,
    PlaceName,
    Record,
    RecordAgent,
    RecordKind,
    RecordPlaceIndex,
    RecordSearch,
    RecordTitleOrder,
    Status,
    Subject,
    SubjectLabel,
    Title,
)
from ...search import names_keys, search_row, title_order_rows

PREFIX = "synthetic-"
# Words titles are built from: a mix of scripts so that searches in each have realistic selectivity.
WORDS_JA = ["合成", "抑留", "遺書", "収容所", "記録", "手紙", "日記", "帰還", "シベリア", "回想", "労働", "収容",
            "冬", "森林", "鉄道", "望郷", "仲間", "捕虜", "証言", "写真"]
WORDS_RU = ["синтетический", "лагерь", "письмо", "дневник", "воспоминания", "дело", "приказ", "отчёт", "лес",
            "железная", "дорога", "зима", "список", "военнопленный", "архив"]
WORDS_EN = ["synthetic", "camp", "letter", "diary", "memoir", "report", "order", "list", "winter", "railway",
            "forest", "return", "labour", "testimony", "photograph"]
FAMILY = ["Synthtest", "Probnikov", "Testov", "Shiken", "Gosei", "Kakuu", "Obrazets", "Primerov"]
FAMILY_RU = ["Синтестов", "Пробников", "Тестов", "Сикэн", "Госэй", "Какуу", "Образцов", "Примеров"]


# The made-up first publications fall in the three years before the run, in an order unrelated to the keys.
PUBLICATION_SPAN = 3 * 365 * 24 * 3600


def _synthetic_first_publication(pk: int, status: str, now: datetime.datetime) -> Any:
    """A made-up first publication for a record ever published, from its key alone (the random draws that make
    the records are left as they were), as the database stores it; none for a record never published."""
    if status not in (Status.PUBLISHED, Status.WITHDRAWN):
        return None
    return connection.ops.adapt_datetimefield_value(now - datetime.timedelta(
        seconds=pk * 2_654_435_761 % PUBLICATION_SPAN))


def _weighted_status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.90:
        return Status.PUBLISHED
    if roll < 0.95:
        return Status.DRAFT
    if roll < 0.98:
        return Status.REVIEW
    return Status.WITHDRAWN


class Writer:
    """Bulk rows into a table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        if connection.vendor == "postgresql":
            with self.cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            self.cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def _defaults(model: type[models.Model], given: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Every concrete column of ``model``: given values, else the field's default in database form."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        if field.attname in given:
            values.append(given[field.attname])
        elif field.has_default() or not field.null:
            default = field.get_default()
            values.append(default if default is not None or field.null else "")
        else:
            values.append(None)
    return columns, values


def _subject_labels() -> dict[int, list[tuple[str, str]]]:
    """The synthetic subjects' labels as ``(text, language)``, in key order, as refresh_search_index reads them."""
    labels: dict[int, list[tuple[str, str]]] = {}
    for subject_id, text, language in SubjectLabel.objects.filter(subject__identifier__startswith=PREFIX).order_by(
            "pk").values_list("subject_id", "text", "language"):
        labels.setdefault(subject_id, []).append((text, language))
    return labels


class Command(BaseCommand):
    help = "Generate N synthetic records (marked synthetic) for benchmarks; refuses to mix with real data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--batch", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=1945)

    def handle(self, *args: Any, count: int, batch: int, seed: int, **options: Any) -> None:
        if count < 1:
            raise CommandError("Give a positive number of records.")
        if Record.objects.exclude(identifier__startswith=PREFIX).exists():
            raise CommandError(
                "This database holds catalogued (non-synthetic) records: synthetic records are generated only "
                "into a database of their own."
            )
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            authorities = self._authorities(rng)
        self.stdout.write(f"authorities ready in {time.monotonic() - started:.1f}s")
        next_id = (Record.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        next_title = (Title.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        next_agent_link = (RecordAgent.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        done = 0
        while done < count:
            size = min(batch, count - done)
            with transaction.atomic(), connection.cursor() as cursor:
                self._batch(Writer(cursor), rng, authorities, next_id, next_title, next_agent_link, size)
            next_id += size
            next_title += size
            next_agent_link += size * 2
            done += size
            self.stdout.write(f"{done} records ({time.monotonic() - started:.0f}s)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Record, Title, RecordAgent, RecordPlaceIndex):
                    table = model._meta.db_table
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))")
                for table in ("collection_record_places", "collection_record_subjects", "collection_record_languages"):
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))")
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner needs statistics to walk the title index
        self.stdout.write(self.style.SUCCESS(f"{count} synthetic records in {time.monotonic() - started:.0f}s"))

    def _authorities(self, rng: random.Random) -> dict[str, Any]:
        languages = [Language.objects.get_or_create(tag=tag)[0] for tag in ("ja", "ru", "en")]
        if Place.objects.filter(identifier=f"{PREFIX}place-0").exists():
            return self._existing_authorities(languages)
        places: list[Place] = []
        leaves: list[Place] = []
        for region in range(10):
            top = Place.objects.create(identifier=f"{PREFIX}place-{region}", kind=PlaceKind.REGION)
            PlaceName.objects.create(place=top, language="en", text=f"Synthetic region {region}")
            PlaceName.objects.create(place=top, language="ja", text=f"合成地域{region}")
            places.append(top)
            for camp in range(10):
                child = Place.objects.create(identifier=f"{PREFIX}place-{region}-{camp}", kind=PlaceKind.CAMP,
                                             parent=top)
                PlaceName.objects.create(place=child, language="en", text=f"Synthetic camp {region}-{camp}")
                PlaceName.objects.create(place=child, language="ru", text=f"Синтетический лагерь {region}-{camp}")
                places.append(child)
                leaves.append(child)
        subjects = []
        for number in range(40):
            subject = Subject.objects.create(identifier=f"{PREFIX}subject-{number}")
            SubjectLabel.objects.create(subject=subject, language="en", text=f"Synthetic subject {number}")
            subjects.append(subject)
        marker = Subject.objects.create(identifier=f"{PREFIX}data")
        SubjectLabel.objects.create(subject=marker, language="en", text="Synthetic data")
        agents: list[tuple[Agent, list[tuple[str, str]]]] = []
        for number in range(2000):
            agent = Agent.objects.create(identifier=f"{PREFIX}agent-{number}", kind=AgentKind.PERSON)
            family = FAMILY[number % len(FAMILY)]
            names = [(f"{family} {number}", "en"), (f"{FAMILY_RU[number % len(FAMILY_RU)]} {number}", "ru")]
            AgentName.objects.bulk_create([AgentName(agent=agent, language=language, text=text)
                                           for text, language in names])
            agents.append((agent, names))
        repositories = []
        for number in range(20):
            repository = Agent.objects.create(identifier=f"{PREFIX}repository-{number}",
                                              kind=AgentKind.ORGANISATION)
            AgentName.objects.create(agent=repository, language="en", text=f"Synthetic archive {number}")
            repositories.append(repository)
        place_names = {p.pk: [(n.text, n.language) for n in p.names.all()] for p in Place.objects.filter(
            identifier__startswith=PREFIX).prefetch_related("names")}
        return {"languages": languages, "leaves": leaves, "subjects": subjects, "marker": marker,
                "subject_labels": _subject_labels(),
                "agents": agents, "repositories": repositories, "place_names": place_names,
                "paths": {p.pk: p.path for p in Place.objects.filter(identifier__startswith=PREFIX)}}

    def _existing_authorities(self, languages: list[Language]) -> dict[str, Any]:
        """The synthetic authorities of an earlier run, so that a second run adds records to them."""
        places = list(Place.objects.filter(identifier__startswith=PREFIX).prefetch_related("names"))
        agents = [
            (agent, [(n.text, n.language) for n in agent.names.all()])
            for agent in Agent.objects.filter(identifier__startswith=f"{PREFIX}agent-").prefetch_related("names")
        ]
        return {
            "languages": languages, "leaves": [p for p in places if p.parent_id],
            "subjects": list(Subject.objects.filter(identifier__startswith=f"{PREFIX}subject-")),
            "marker": Subject.objects.get(identifier=f"{PREFIX}data"), "agents": agents,
            "repositories": list(Agent.objects.filter(identifier__startswith=f"{PREFIX}repository-")),
            "place_names": {p.pk: [(n.text, n.language) for n in p.names.all()] for p in places},
            "paths": {p.pk: p.path for p in places},
            "subject_labels": _subject_labels(),
        }

    def _batch(self, out: Writer, rng: random.Random, auth: dict[str, Any], first_id: int, first_title: int,
               first_link: int, size: int) -> None:
        record_columns, _ = _defaults(Record, {})
        title_columns, _ = _defaults(Title, {})
        records, titles, agent_links, places, subjects, languages, search, place_index = [], [], [], [], [], [], [], []
        title_orders: list[tuple[int, str, str]] = []
        order_languages = list(app_settings.LANGUAGES)
        now = time.strftime("%Y-%m-%d %H:%M:%S+00")
        run_time = timezone.now()
        for offset in range(size):
            pk = first_id + offset
            kind = rng.choice((RecordKind.MEMOIR, RecordKind.DOCUMENT, RecordKind.DOCUMENT, RecordKind.ASSOCIATION))
            if rng.random() < 0.08:
                year_start = year_end = None
            else:
                year_start = rng.randint(1945, 1995)
                year_end = year_start + (rng.randint(1, 12) if rng.random() < 0.2 else 0)
            repository = rng.choice(auth["repositories"]) if rng.random() < 0.7 else None
            status = _weighted_status(rng)
            given = {
                "id": pk, "identifier": f"{PREFIX}rec-{pk}", "kind": kind, "status": status,
                "first_published": _synthetic_first_publication(pk, status, run_time),
                "date_edtf": "" if year_start is None else (
                    str(year_start) if year_start == year_end else f"{year_start}/{year_end}"),
                "date_start": None if year_start is None else f"{year_start}-01-01",
                "date_end": None if year_end is None else f"{year_end}-12-31",
                "year_start": year_start, "year_end": year_end, "parent_id": None, "sequence": None,
                "repository_id": repository.pk if repository else None, "described_agent_id": None,
                "accessed": None, "created": now, "modified": now,
            }
            records.append(_defaults(Record, given)[1])
            script = rng.random()
            if script < 0.4:
                language, words = "ja", WORDS_JA
                text = "".join(rng.sample(words, 3)) + f" 合成{pk}"
            elif script < 0.7:
                language, words = "ru", WORDS_RU
                text = " ".join(rng.sample(words, 3)) + f" синтетический {pk}"
            else:
                language, words = "en", WORDS_EN
                text = " ".join(rng.sample(words, 3)).capitalize() + f" synthetic {pk}"
            titles.append(_defaults(Title, {"id": first_title + offset, "record_id": pk, "language": language,
                                            "text": text, "form": "original", "preferred": True,
                                            "derived_from_id": None})[1])
            chosen_agents = rng.sample(auth["agents"], rng.choice((1, 1, 2)))
            for position, (agent, _names) in enumerate(chosen_agents):
                agent_links.append((first_link + offset * 2 + position, pk, agent.pk, "author", position))
            chosen_places = rng.sample(auth["leaves"], rng.choice((1, 1, 2)))
            places.extend((pk, place.pk) for place in chosen_places)
            chosen_subjects = [*rng.sample(auth["subjects"], rng.choice((1, 2))), auth["marker"]]
            subjects.extend((pk, subject.pk) for subject in chosen_subjects)
            languages.append((pk, auth["languages"][{"ja": 0, "ru": 1, "en": 2}[language]].pk))
            expanded: set[int] = set()
            for place in chosen_places:
                expanded |= {int(part) for part in auth["paths"][place.pk].strip("/").split("/")}
            place_index.extend((pk, place_id) for place_id in sorted(expanded))
            # The row refresh_search_index would make: agents, places (with those around them) and subjects in
            # primary-key order.
            title = SimpleNamespace(pk=1, text=text, language=language, form="original", preferred=True,
                                    derived_from_id=None)
            search.append(search_row(
                pk, [title], [],
                [names_keys(names) for _agent, names in sorted(chosen_agents, key=lambda pair: pair[0].pk)],
                [names_keys(auth["place_names"][place_id]) for place_id in sorted(expanded)],
                "", "", "",
                subject_keys=[names_keys(auth["subject_labels"][subject.pk])
                              for subject in sorted(chosen_subjects, key=lambda subject: subject.pk)],
            ))
            title_orders.extend(title_order_rows(pk, [title], order_languages))
        out.write(Record._meta.db_table, record_columns, records)
        out.write(Title._meta.db_table, title_columns, titles)
        out.write(RecordAgent._meta.db_table, ["id", "record_id", "agent_id", "role", "position"], agent_links)
        out.write("collection_record_places", ["record_id", "place_id"], places)
        out.write("collection_record_subjects", ["record_id", "subject_id"], subjects)
        out.write("collection_record_languages", ["record_id", "language_id"], languages)
        out.write(RecordSearch._meta.db_table, ["record_id", "document", "titles", "bigrams", "title_key"], search)
        out.write(RecordTitleOrder._meta.db_table, ["record_id", "language", "title_key"], title_orders)
        out.write(RecordPlaceIndex._meta.db_table, ["record_id", "place_id"], place_index)
