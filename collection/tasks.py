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
    """Derive the readings and romanizations an import left out (of ``records``, by identifier, and any
    missing elsewhere); returns how many labels changed."""
    from .importing.romanizations import update_missing_forms

    return update_missing_forms(records=records)


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
