"""CSV files as Microsoft Excel saves them in Japan and Russia, imported in the admin."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collection.models import ImportJob, Record

from .roles import dana, login  # noqa: F401 - fixtures


@pytest.mark.django_db
def test_a_russian_excel_csv_with_a_column_of_its_own_names_that_column_not_a_missing_identifier(
        dana, login):  # noqa: F811
    data = ("identifier;kind;status;title_ru;Примечание\r\n"
            "test-1;memoir;draft;Воспоминания;для себя\r\n").encode("cp1251")
    client = login(dana)
    client.post(reverse("admin:collection_record_import"),
                {"file": SimpleUploadedFile("каталог.csv", data), "encoding": "cp1251"})
    job = ImportJob.objects.get()
    page = client.get(reverse("admin:collection_record_import_job", args=[job.token])).content.decode()
    assert "column Примечание: Unknown column" in page
    assert "identifier column is missing" not in page
    assert not Record.objects.exists()
