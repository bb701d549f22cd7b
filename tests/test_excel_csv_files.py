"""CSV files as Microsoft Excel saves them in Japan and Russia, imported in the admin."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collection.catalogue.files import FileRefused, read_table
from collection.catalogue.writer import write_rows
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


@pytest.mark.django_db
def test_an_import_refused_because_the_catalogue_changed_can_be_previewed_again_without_uploading_it(
        dana, login):  # noqa: F811
    from .factories import RecordFactory

    record = RecordFactory(identifier="test-1", kind="memoir", status="draft", title="Old", title__language="en")
    data = "identifier,kind,status,title_ja,title_en\r\ntest-1,memoir,draft,髙橋の手記,From the file\r\n"
    client = login(dana)
    client.post(reverse("admin:collection_record_import"),
                {"file": SimpleUploadedFile("目録.csv", data.encode("cp932")), "encoding": "cp932"})
    job = ImportJob.objects.get()
    url = reverse("admin:collection_record_import_job", args=[job.token])
    record.refresh_from_db()
    record.date_display = "edited meanwhile"
    record.save()
    client.post(url, {"fingerprint": job.fingerprint})
    page = client.get(url).content.decode()
    assert "Preview the file again" in page

    response = client.post(url, {"preview_again": "1"}, follow=True)
    job.refresh_from_db()
    assert job.status == "previewed"
    page = response.content.decode()
    assert "Confirm import" in page and "Old → " in page.replace("</del> → <ins>", " → ")
    client.post(url, {"fingerprint": job.fingerprint})
    job.refresh_from_db()
    assert job.status == "done"
    record.refresh_from_db()
    assert sorted(record.titles.values_list("text", flat=True)) == ["From the file", "髙橋の手記"]
    assert record.date_display == "edited meanwhile"  # the other manager's edit stands


@pytest.mark.django_db
def test_only_an_import_refused_as_outdated_can_be_previewed_again(dana, login):  # noqa: F811
    client = login(dana)
    client.post(reverse("admin:collection_record_import"),
                {"file": SimpleUploadedFile("a.csv", b"identifier,kind,status,title_en\ntest-1,memoir,draft,A\n")})
    job = ImportJob.objects.get()
    url = reverse("admin:collection_record_import_job", args=[job.token])
    client.post(url, {"fingerprint": job.fingerprint})
    response = client.post(url, {"preview_again": "1"}, follow=True)
    job.refresh_from_db()
    assert job.status == "done"
    assert "Preview the file again" not in response.content.decode()
    assert Record.objects.count() == 1


@pytest.mark.parametrize(("data", "name", "problem"), [
    # Excel writes every column of the sheet's used range: a note typed right of the catalogue, under no name.
    (b"\xef\xbb\xbfidentifier,kind,status,title_en,,\r\ntest-1,memoir,draft,Title,,call back\r\n",
     "records.csv", "row 2, column F: "),
    (b"identifier;kind;status;;title_ru\r\ntest-1;memoir;draft;\xe7\xe0\xec\xe5\xf2\xea\xe0;\xc7\xe0\xef\xe8\xf1\xea\xe8\r\n",
     "records.csv", "row 2, column D: "),
])
def test_a_cell_under_a_blank_header_cell_is_refused_naming_its_column(data, name, problem):

    with pytest.raises(FileRefused) as refused:
        read_table(data, name=name, encoding="cp1251" if b";" in data else None)
    (message,) = [str(p) for p in refused.value.problems]
    assert message.startswith(problem) and "no name" in message


def test_a_cell_under_a_blank_header_cell_of_a_workbook_is_refused_naming_its_column():

    from .xlsx_parts import row, text, workbook

    data = workbook(("Sheet1", [
        row(1, text("A1", "identifier"), text("C1", "title_en"), text("D1", "title_ja")),
        row(2, text("A2", "test-1"), text("B2", "my note"), text("C2", "Title")),
        row(3, text("A3", "test-2"), text("B3", "other note"), text("C3", "Title")),
    ]))
    with pytest.raises(FileRefused) as refused:
        read_table(data, name="book.xlsx")
    assert [str(p)[:17] for p in refused.value.problems] == ["row 2, column B: ", "row 3, column B: "]


def test_blank_header_cells_over_empty_columns_are_no_problem():

    table = read_table(b"identifier,title_en,,\r\ntest-1,Title,,\r\n", name="records.csv")
    assert [cells for _number, cells in table.records()] == [{"identifier": "test-1", "title_en": "Title", "": ""}]


def test_a_title_row_above_the_column_names_is_pointed_out_not_taken_for_the_header():

    from .xlsx_parts import row, text, workbook

    csv_data = "目録（2026年11月）,,\r\n\r\nidentifier,kind,title_ja\r\ntest-1,memoir,手記\r\n".encode("utf-8-sig")
    xlsx_data = workbook(("目録", [
        row(1, text("A1", "シベリア抑留資料 目録（2026年11月）")),
        row(3, text("A3", "identifier"), text("B3", "kind"), text("C3", "title_ja")),
        row(4, text("A4", "test-1"), text("B4", "memoir"), text("C4", "手記")),
    ]), merges=["A1:C1"])
    for data, name in ((csv_data, "records.csv"), (xlsx_data, "records.xlsx")):
        with pytest.raises(FileRefused) as refused:
            read_table(data, name=name)
        (problem,) = refused.value.problems
        assert "row 3" in str(problem) and "Delete the rows above it" in str(problem), str(problem)


def japanese_csv_errors(data: bytes, *, dry_run: bool = False) -> list[str]:
    """The problems an import of a Japanese Excel's CSV (cp932) reports."""
    table = read_table(data, name="目録.csv", encoding="cp932")
    return [str(error) for error in write_rows(table.records(), header=table.header, dry_run=dry_run).errors]


@pytest.mark.django_db
def test_values_typed_with_a_japanese_ime_in_full_width_are_refused_with_what_to_write():
    data = ("identifier,kind,status,title_ja,languages\r\n"
            "ｍｅｍ－ｗ１,memoir,draft,手記,ja\r\n"
            "mem-w2,ｍｅｍｏｉｒ,ｄｒａｆｔ,手記,ｊａ|ru\r\n").encode("cp932")
    assert japanese_csv_errors(data, dry_run=True) == [
        "row 2, column identifier: “ｍｅｍ－ｗ１” is written with full-width characters: write it as mem-w1.",
        "row 3, column kind: “ｍｅｍｏｉｒ” is written with full-width characters: write it as memoir.",
        "row 3, column languages: “ｊａ” is written with full-width characters: write it as ja.",
        "row 3, column status: “ｄｒａｆｔ” is written with full-width characters: write it as draft.",
    ]
    assert not Record.objects.exists()


@pytest.mark.django_db
def test_an_isbn_or_issn_typed_in_full_width_is_refused_with_what_to_write_not_stored_so():
    data = ("identifier,kind,status,title_ja,isbn,issn\r\n"
            "mem-w1,memoir,draft,手記,９７８４０００００００００,\r\n"
            "mem-w2,memoir,draft,手記,,０３７８－５９５５\r\n").encode("cp932")
    assert japanese_csv_errors(data) == [
        "row 2, column isbn: “９７８４０００００００００” is written with full-width characters: write it as "
        "9784000000000.",
        "row 3, column issn: “０３７８－５９５５” is written with full-width characters: write it as 0378-5955.",
    ]
    assert not Record.objects.exists()
