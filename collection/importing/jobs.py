"""Admin imports as jobs: upload, preview, confirm, import — inline or by the task worker.

A job keeps the uploaded bytes, so confirming imports exactly what was
previewed. The preview records a fingerprint of the catalogue it saw (the
versions of the records the file names, and the state of the vocabularies its
cells are resolved against); the import recomputes it inside its transaction and
refuses if anything changed in between, then checks that what it wrote is what
the preview showed, row by row.

A job of a vocabulary sheet (``ImportJob.vocabulary``) goes the same way through
the vocabulary writer, with a fingerprint of the whole vocabulary.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import reasons
from ..catalogue.files import FileRefused, Table, encoding_named_in, read_table, sheet_named_in
from ..conf import app_settings
from ..models import Agent, ImportJob, ImportJobStatus, Language, Place, Record, ReservedIdentifier, Subject
from .deferral import deferred_derivation

logger = logging.getLogger(__name__)


def catalogue_fingerprint(identifiers: Iterable[str]) -> str:
    """A digest of everything an import of these identifiers depends on.

    The records' versions change with every save; the vocabularies' counts and
    last changes change when an agent, place or subject is added or renamed, which
    a name in the file may then resolve to differently. Languages are few, and a
    language deleted and another added leaves their count as it was, while the
    import would then link to, or create, other languages than the preview did:
    every tag counts.
    """
    digest = hashlib.sha256()
    identifiers = sorted(set(identifiers))
    for start in range(0, len(identifiers), 5000):
        chunk = identifiers[start:start + 5000]
        for row in Record.objects.filter(identifier__in=chunk).order_by("identifier").values_list(
            "identifier", "version", "modified", "status"
        ):
            digest.update(repr(row).encode())
    vocabulary = (
        Agent.objects.aggregate(n=Count("pk"), last=Max("modified")),
        Place.objects.aggregate(n=Count("pk"), last=Max("modified")),
        Subject.objects.aggregate(n=Count("pk"), last=Max("modified")),
        tuple(Language.objects.order_by("pk").values_list("pk", "tag")),
        ReservedIdentifier.objects.aggregate(n=Count("pk"), last=Max("pk")),
    )
    digest.update(repr(vocabulary).encode())
    return digest.hexdigest()


def vocabulary_fingerprint(vocabulary: str) -> str:
    """A digest of every field of every entry of the vocabulary and of every one of their names.

    A vocabulary sheet depends on more than the entries it names: a parent or broader entry
    may be named by any entry's name, and a name added anywhere can make another ambiguous.
    Vocabularies are small (thousands of entries), so reading all of both tables is cheap,
    and it catches any change, made through the models or not.
    """
    from ..catalogue.vocabulary import VOCABULARIES

    spec = VOCABULARIES[vocabulary]
    digest = hashlib.sha256()
    for model in (spec.model, spec.label_model):
        fields = [field.attname for field in model._meta.concrete_fields]
        for row in model._default_manager.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def job_fingerprint(job: ImportJob, table: Table) -> str:
    if job.vocabulary:
        return vocabulary_fingerprint(job.vocabulary)
    return catalogue_fingerprint(table_identifiers(table))


def table_identifiers(table: Table) -> list[str]:
    try:
        index = table.header.index("identifier")
    except ValueError:
        return []
    return [cells[index].strip() for _number, cells in table.rows if len(cells) > index and cells[index].strip()]


# The upload form's field that names a CSV file's encoding. A job's file was uploaded with it, so advice to name the
# encoding points there, not to the import command's --encoding: in the request and in the task worker alike.
ENCODING_FIELD = gettext_lazy("Encoding of a CSV file")
# Its field naming an XLSX file's sheet, likewise.
SHEET_FIELD = gettext_lazy("Sheet of an XLSX file")


def load_table(job: ImportJob) -> Table:
    with encoding_named_in(ENCODING_FIELD), sheet_named_in(SHEET_FIELD):
        return read_table(bytes(job.data), name=job.file_name, file_format=job.file_format,
                          encoding=job.encoding or None, sheet=job.sheet or None)


def source_label(job: ImportJob) -> str:
    return reasons.import_of(job.file_name)


def write_table(job: ImportJob, table: Table, *, dry_run: bool = False,
                progress: Callable[[str, int, int | None], None] | None = None) -> Any:
    """Check, and unless ``dry_run`` write, the job's table with the writer of its sheet; all or nothing."""
    if job.vocabulary:
        from ..catalogue.vocabulary_files import import_vocabulary

        # A vocabulary is small: its readings and romanizations are derived as it is written, as the
        # command derives them, not deferred to the records' task.
        with encoding_named_in(ENCODING_FIELD):
            return import_vocabulary(job.vocabulary, table, user=job.user, source=source_label(job),
                                     dry_run=dry_run, progress=progress)
    from ..catalogue.writer import write_rows

    with deferred_derivation(), encoding_named_in(ENCODING_FIELD):
        return write_rows(table.records(), header=table.header, user=job.user, source=source_label(job),
                          dry_run=dry_run, progress=progress, encoding=table.encoding)


def job_entries(job: ImportJob, result: Any) -> list[dict[str, Any]]:
    """The preview's entries of the job; a vocabulary's in row order (its writer saves parents first)."""
    entries = preview_entries(result)
    return sorted(entries, key=lambda entry: entry["row"]) if job.vocabulary else entries


def preview_entries(result: Any) -> list[dict[str, Any]]:
    """The writer's per-row changes as JSON: row, identifier, kind, action, [[column, old, new], ...]."""
    return [
        {"row": change.row, "identifier": change.identifier, "kind": change.kind, "action": change.action,
         "fields": [[column, old, new] for column, (old, new) in change.fields.items()]}
        for change in result.changes
    ]


def summary_of(result: Any) -> dict[str, Any]:
    """The outcome as counts, worded when shown (:func:`summary_lines_of`)."""
    return {
        "created": sum(result.created.values()), "updated": sum(result.updated.values()),
        "unchanged": sum(result.unchanged.values()), "by_kind": result.counts_by_kind(),
        "new_agents": [[agent.identifier, agent.name, agent.kind] for agent in result.new_agents],
    }


def summary_lines_of(job: ImportJob) -> list[str]:
    """The job's outcome in the active language; a job stored with its lines worded keeps them."""
    from ..catalogue.writer import summary_lines

    if "by_kind" not in job.summary:
        return list(job.summary.get("lines", []))
    return summary_lines(job.summary["by_kind"], [(agent[0], agent[1]) for agent in job.summary["new_agents"]])


def create_job(*, user: Any, file_name: str, data: bytes, encoding: str = "", sheet: str = "",
               file_format: str = "", vocabulary: str = "") -> ImportJob:
    """Store an upload as a job (of records, or of the ``vocabulary`` sheet named)."""
    from ..catalogue.files import detect_format

    file_format = file_format or detect_format(file_name, data[:4])
    job = ImportJob.objects.create(user=user, file_name=file_name[:255], data=data, encoding=encoding,
                                   sheet=sheet, file_format=file_format, vocabulary=vocabulary)
    return job


def start_preview(job: ImportJob) -> ImportJob:
    """Preview within the request when the file is small enough, else queue a task."""
    try:
        with _failed_on_error(job.pk, "reading"):
            table = _table_or_refusal(job)
    except _JobFailed:
        job.refresh_from_db()
        return job
    if table is None:
        return job
    job.row_count = len(table)
    if len(table) <= app_settings.IMPORT_INLINE_MAX_ROWS:
        job.save(update_fields=["row_count", "modified"])
        run_preview(job.pk, table=table)
        job.refresh_from_db()
        return job
    from ..tasks import preview_import

    job.background = True
    job.save(update_fields=["row_count", "background", "modified"])
    transaction.on_commit(lambda: preview_import.enqueue(job.pk))
    return job


def _table_or_refusal(job: ImportJob) -> Table | None:
    """The job's file read, or ``None`` once the job is marked refused for the file's problems."""
    try:
        return load_table(job)
    except FileRefused as exc:
        _refuse(job, _in_every_language(exc.problems, lambda: _file_problems(job)))
        return None


def _file_problems(job: ImportJob) -> list[Any]:
    try:
        load_table(job)
    except FileRefused as exc:
        return exc.problems
    return []


def _row_problems(job: ImportJob) -> list[Any]:
    return write_table(job, load_table(job), dry_run=True).errors


def _spoken_languages() -> list[str]:
    """The languages of the site the app has words in: English, in which it is written, and its catalogues'."""
    catalogues = {path.name for path in (Path(__file__).resolve().parent.parent / "locale").iterdir()}
    return [code for code, _name in settings.LANGUAGES if code.split("-")[0] in catalogues | {"en"}] or ["en"]


def _in_every_language(worded: Iterable[Any], word_again: Callable[[], Iterable[Any]]) -> list[dict[str, str]]:
    """Problems ``worded`` in the active language, with their wording in each other language the app speaks
    (``word_again`` finds them again; see :meth:`ImportJob.errors_in`)."""
    active = translation.get_language() or "en"
    known = [str(problem) for problem in worded]
    by_language = {active: known}
    for code in _spoken_languages():
        if code != active:
            with translation.override(code):
                texts = [str(problem) for problem in word_again()]
            # The same file gives the same problems in every language; one that would not is left out, not
            # allowed to lose a problem.
            if len(texts) == len(known):
                by_language[code] = texts
    return [dict(zip(by_language, texts, strict=True)) for texts in zip(*by_language.values(), strict=True)]


def _worded(message: Callable[[], str]) -> list[dict[str, str]]:
    """A message of the job's own, worded in each language the app speaks."""
    return _in_every_language([message()], lambda: [message()])


def _stale_message(job: ImportJob) -> str:
    if job.vocabulary:
        return _("The vocabulary changed after the preview (one of its entries or names was added, edited or "
                 "removed). Nothing was imported: preview the file again to see what importing it would do now.")
    return _("The catalogue changed after the preview (a record in the file or a vocabulary it uses was edited). "
             "Nothing was imported: preview the file again to see what importing it would do now.")


def _refuse(job: ImportJob, errors: list[dict[str, str]]) -> None:
    job.status = ImportJobStatus.INVALID
    job.errors = errors
    job.data = b""  # a refused file is never imported: keep its problems, not its bytes
    job.save(update_fields=["status", "errors", "data", "modified"])


class _JobFailed(Exception):
    """The job stopped on an unexpected error; it is marked failed and the error logged."""


@contextmanager
def _failed_on_error(job_id: int, stage: str) -> Iterator[None]:
    """Mark the job failed, and log why, if the block raises.

    Within a caller's transaction (a request's) the block runs in a savepoint, so that
    an error leaves that transaction usable for marking the job; outside any, the
    block's own progress updates stay visible to the status page as it runs.
    """
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with savepoint:
            yield
    except Exception as exc:
        logger.exception("Import job %s failed while %s.", job_id, stage)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJobStatus.FAILED, modified=timezone.now(),
            errors=_worded(lambda: _("The import stopped on an unexpected error. Nothing was written. The error "
                                     "has been recorded for the site's administrators: upload the file again "
                                     "later, or ask them.")))
        raise _JobFailed from exc


def run_preview(job_id: int, *, table: Table | None = None) -> str:
    """Validate the file and work out what importing it would change, writing nothing.

    An unexpected error marks the job failed (see :func:`_failed_on_error`).
    """
    try:
        with _failed_on_error(job_id, "previewing"):
            return _preview(job_id, table)
    except _JobFailed:
        return ImportJobStatus.FAILED


def _preview(job_id: int, table: Table | None) -> str:
    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.PREVIEWING)
    try:
        table = load_table(job) if table is None else table
    except FileRefused as exc:
        _refuse(job, _in_every_language(exc.problems, lambda: _file_problems(job)))
        return job.status
    job.row_count = len(table)
    fingerprint = job_fingerprint(job, table)
    progress = None
    if job.background:
        ImportJob.objects.filter(pk=job.pk).update(row_count=job.row_count, rows_done=0)
        progress = _checking_progress(job)
    result = write_table(job, table, dry_run=True, progress=progress)
    if result.errors:
        job.rows_done = job.row_count
        job.save(update_fields=["row_count", "rows_done", "modified"])
        _refuse(job, _in_every_language(result.errors, lambda: _row_problems(job)))
        return job.status
    job.status = ImportJobStatus.PREVIEWED
    job.fingerprint = fingerprint
    job.preview = job_entries(job, result)
    job.summary = summary_of(result)
    job.rows_done = job.row_count
    job.save()
    return job.status


def _checking_progress(job: ImportJob, clock: Callable[[], float] = time.monotonic,
                       ) -> Callable[[str, int, int | None], None]:
    """The writer's progress as the job's ``rows_done``, for the status page of a background preview.

    Only the checking of the rows can be shown: the preview then writes them in a
    transaction it rolls back, where nothing it records is seen from outside. Checking
    counts as the first half of the work, so the page never shows 100% too early.
    """
    last = 0.0

    def progress(stage: str, done: int, total: int | None) -> None:
        nonlocal last
        now = clock()
        if stage != "checking" or now - last < 1:
            return
        last = now
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done // 2)

    return progress


class ConfirmRefused(Exception):
    """The job cannot be confirmed (already done, not previewed, or an outdated preview)."""


def confirm(job: ImportJob, *, fingerprint: str) -> ImportJob:
    """Import what was previewed; inline for small files, else by a task."""
    if job.status != ImportJobStatus.PREVIEWED:
        raise ConfirmRefused(_("This import is not waiting for confirmation (it is %(status)s).")
                             % {"status": job.get_status_display()})
    if fingerprint != job.fingerprint:
        raise ConfirmRefused(_("This is not the latest preview of the file; confirm from the preview page."))
    if not job.background:
        run_import(job.pk)
        job.refresh_from_db()
        return job
    from ..tasks import apply_import

    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.PREVIEWED).update(
        status=ImportJobStatus.CONFIRMED, rows_done=0)
    if not claimed:
        raise ConfirmRefused(_("This import was confirmed already."))
    transaction.on_commit(lambda: apply_import.enqueue(job.pk))
    job.refresh_from_db()
    return job


def preview_again(job: ImportJob) -> ImportJob:
    """Preview a job's file again, against the catalogue as it is now, once its import was refused because the
    catalogue changed after its preview: the file is kept, and need not be found and uploaded again."""
    again = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.STALE).exclude(data=b"").update(
        status=ImportJobStatus.QUEUED, errors=[], preview=[], summary={}, fingerprint="", rows_done=0,
        modified=timezone.now())
    if not again:
        raise ConfirmRefused(_("This import cannot be previewed again (it is %(status)s).")
                             % {"status": job.get_status_display()})
    job.refresh_from_db()
    return start_preview(job)


def run_import(job_id: int) -> str:
    """Import a previewed job if the catalogue is as the preview saw it; all or nothing.

    An unexpected error rolls back whatever the import wrote and marks the job failed.
    """
    try:
        with _failed_on_error(job_id, "importing"):
            return _import(job_id)
    except _JobFailed:
        return ImportJobStatus.FAILED


def _import(job_id: int) -> str:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (ImportJobStatus.PREVIEWED, ImportJobStatus.CONFIRMED):
            return job.status
        job.status = ImportJobStatus.IMPORTING
        job.save(update_fields=["status", "modified"])
        table = load_table(job)
        if job_fingerprint(job, table) != job.fingerprint:
            job.status = ImportJobStatus.STALE
            job.errors = _worded(lambda: _stale_message(job))
            job.save(update_fields=["status", "errors", "modified"])
            return job.status
        with transaction.atomic():
            result = write_table(job, table)
            stale = bool(result.errors) or job_entries(job, result) != job.preview
            if stale:
                transaction.set_rollback(True)
        if stale:
            # Saved after the import's own savepoint rolled back, or it would be rolled back with it.
            job.status = ImportJobStatus.STALE
            job.errors = _in_every_language(result.errors, lambda: _row_problems(job)) or _worded(lambda: _(
                "Importing would not do exactly what the preview showed. Nothing was imported: preview the file "
                "again to see what importing it would do now."))
            job.save(update_fields=["status", "errors", "modified"])
            return job.status
        job.status = ImportJobStatus.DONE
        job.summary = summary_of(result)
        job.rows_done = job.row_count
        job.data = b""  # imported: the history holds what it changed
        job.save(update_fields=["status", "summary", "rows_done", "data", "modified"])
        if not job.vocabulary:
            queue_derived_forms(result)
    return job.status


def queue_derived_forms(result: Any) -> None:
    """After the import commits, derive the readings and romanizations the file did not give."""
    from ..tasks import derive_missing_forms

    changed = sorted({change.identifier for change in result.changes if change.action != "unchanged"})
    if changed or result.new_agents:
        transaction.on_commit(lambda: derive_missing_forms.enqueue(changed))


def page_of(job: ImportJob, page: int, action: str = "") -> tuple[list[dict[str, Any]], int, dict[str, int]]:
    """One page of the preview (optionally only one action), the number of pages, and counts per action."""
    entries = job.preview or []
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["action"]] = counts.get(entry["action"], 0) + 1
    if action:
        entries = [entry for entry in entries if entry["action"] == action]
    size = app_settings.IMPORT_PREVIEW_ROWS_PER_PAGE
    pages = max(1, -(-len(entries) // size))
    page = min(max(page, 1), pages)
    return entries[(page - 1) * size: page * size], pages, counts
