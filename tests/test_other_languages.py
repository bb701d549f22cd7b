"""Titles, descriptions and names in language tags without a column of their own travel in other_* columns."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from collection.catalogue.writer import write_rows
from collection.models import Description, Record, ReservedIdentifier, Title

from .factories import RecordFactory, TitleFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def invented_record():
    """A record with a Mongolian original title (invented text) beside its Japanese one, and descriptions in
    Mongolian and German, the German one our translation."""
    record = RecordFactory(identifier="doc-test-mn", title="テスト文書", title__language="ja")
    TitleFactory(record=record, language="mn", text="Туршилтын баримт", preferred=True)
    TitleFactory(
        record=record, language="de", text="Testdokument", preferred=True, our_translation=True, form="translation"
    )
    Description.objects.create(record=record, language="mn", text="Туршилтын тайлбар | хоёр")
    Description.objects.create(record=record, language="de", text="Beschreibung", our_translation=True)
    return record


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_loaded_into_an_empty_catalogue_keeps_texts_in_other_languages(tmp_path, file_format):
    invented_record()
    first, second = tmp_path / f"first.{file_format}", tmp_path / f"second.{file_format}"
    run("export_catalogue", str(first))
    if file_format == "csv":
        header, line = first.read_bytes().decode("utf-8-sig").splitlines()[:2]
        assert "other_titles" in header.split(",") and "other_descriptions" in header.split(",")
        assert "mn:Туршилтын баримт" in line and "de:Beschreibung" in line
        assert "description_de|title_de" in line  # our translations, sorted

    Record.objects.all().delete()
    ReservedIdentifier.objects.all().delete()
    assert "document: 1 new" in run("import_catalogue", str(first))
    record = Record.objects.get(identifier="doc-test-mn")
    assert {(t.language, t.text, t.our_translation) for t in record.titles.filter(preferred=True)} >= {
        ("mn", "Туршилтын баримт", False),
        ("de", "Testdokument", True),
    }
    assert {(d.language, d.text, d.our_translation) for d in record.descriptions.all()} == {
        ("mn", "Туршилтын тайлбар | хоёр", False),
        ("de", "Beschreibung", True),
    }
    run("export_catalogue", str(second))
    assert first.read_bytes() == second.read_bytes()

    titles, descriptions = Title.history.count(), Description.history.count()
    assert "document: 0 new, 0 updated, 1 unchanged" in run("import_catalogue", str(first))
    assert (Title.history.count(), Description.history.count()) == (titles, descriptions)


def test_a_sheet_without_the_other_columns_leaves_those_texts_alone():
    invented_record()
    result = write_rows(
        [
            (
                2,
                {
                    "identifier": "doc-test-mn",
                    "title_ja": "テスト文書",
                    "our_translations": "description_en",
                    "description_en": "Our description",
                },
            )
        ]
    )
    assert result.ok, result.errors
    record = Record.objects.get(identifier="doc-test-mn")
    assert record.titles.get(language="de").our_translation
    assert record.descriptions.get(language="de").our_translation
    assert record.titles.filter(language="mn", preferred=True).exists()
    # An export of before these columns, imported again, leaves the record unchanged.
    result = write_rows(
        [(2, {"identifier": "doc-test-mn", "title_ja": "テスト文書", "our_translations": "description_en"})]
    )
    assert result.ok and result.unchanged["document"] == 1, result.changes


def test_other_titles_change_clear_and_are_refused_in_a_tag_with_its_own_column():
    invented_record()
    result = write_rows(
        [(2, {"identifier": "doc-test-mn", "other_titles": "mn:Шинэ нэр", "other_descriptions": "[clear]"})]
    )
    assert result.ok, result.errors
    record = Record.objects.get(identifier="doc-test-mn")
    assert [t.text for t in record.titles.filter(preferred=True, language__in=["mn", "de"])] == ["Шинэ нэр"]
    assert not record.descriptions.exists()

    result = write_rows(
        [(2, {"identifier": "doc-test-mn", "other_titles": "ja:別の題|mn:x|mn:y", "other_descriptions": "ru:Описание"})]
    )
    assert [str(error) for error in result.errors] == [
        "row 2, column other_descriptions: “ru” has its own column: write this text in description_ru.",
        "row 2, column other_titles: “ja” has its own column: write this text in title_ja.",
    ]
    result = write_rows([(2, {"identifier": "doc-test-mn", "other_titles": "mn:x|mn:y"})])
    assert [error.column for error in result.errors] == ["other_titles"]
    assert result.errors[0].message.startswith("Two texts tagged mn (“x” and “y”)")
