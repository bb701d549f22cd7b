"""Background tasks, run by the database task worker (``manage.py db_worker``).

Django 6 ships the tasks framework as ``django.tasks``; on Django 5.2 the
``django-tasks`` backport provides the same API.
"""

from __future__ import annotations

try:
    from django.tasks import task
except ImportError:  # Django 5.2
    from django_tasks import task


@task()
def derive_missing_forms(records: list[str] | None = None) -> int:
    """After an import: derive the readings and romanizations it left out (of ``records``, by identifier, and
    any missing elsewhere), then write the export rows of every record that lacks one; returns how many labels
    changed."""
    from .catalogue.export_lines import refresh_export_lines
    from .importing.romanizations import update_missing_forms

    changed = update_missing_forms(records=records)
    refresh_export_lines()
    return changed


@task()
def write_export_lines() -> int:
    """After a change outside an import (the admin, a workflow action): write the export rows it dropped, and
    any other missing; returns how many were written."""
    from .catalogue.export_lines import refresh_export_lines

    return refresh_export_lines()


@task()
def preview_import(job_id: int) -> str:
    """Prepare the preview of an uploaded file too large to preview within a request."""
    from .importing.jobs import run_preview

    return run_preview(job_id)


@task()
def apply_import(job_id: int) -> str:
    """Import a confirmed file too large to import within a request."""
    from .importing.jobs import run_import

    return run_import(job_id)
