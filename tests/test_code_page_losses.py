"""A sheet saved in a Windows code page that cannot hold some of the catalogue's characters.

Excel and LibreOffice Calc, saving CSV as Japanese Windows (cp932) or Russian Windows (cp1251) do, put ``?`` or a
look-alike for each character the code page lacks. Imported again, such a file would overwrite the stored text
with the damaged one; it is refused instead, naming each cell.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from collection.models import Agent, PlaceName, Record

HEADER = "identifier,kind,title_ja,title_ru,title_ru-Latn,title_en,extent\r\n"
STORED = (HEADER + "doc-cp-1,document,シベリア抑留記,Записки «пленного» — том 1,Zapiski plennogo — tom 1,Notes,"
          "１２３ページ\r\n")


def run(path: Path, *options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalogue", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path, *options: str, said: str = "nothing was written") -> list[str]:
    err = StringIO()
    with pytest.raises(CommandError, match=said):
        call_command("import_catalogue", str(path), *options, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def titles() -> dict[str, str]:
    return dict(Record.objects.get(identifier="doc-cp-1").titles.values_list("language", "text"))


@pytest.fixture
def stored(tmp_path):
    source = tmp_path / "stored.csv"
    source.write_text(STORED, encoding="utf-8")
    run(source)
    return titles()


@pytest.mark.django_db
def test_a_russian_windows_file_that_lost_the_japanese_title_is_refused(stored, tmp_path):
    saved = tmp_path / "saved-1251.csv"
    saved.write_bytes(STORED.encode("cp1251", errors="replace"))  # what office software writes
    problems = refused(saved, "--encoding", "cp1251")
    assert problems == [
        "row 2, column extent: The file is saved in cp1251, which cannot hold “１”, “２”, “３”, “ペ”, “ー”, “ジ” "
        "of the stored text: the program that saved it put other characters (such as ?) in their place. Save the "
        "sheet as CSV UTF-8 or as an Excel workbook (.xlsx), and import that file.",
        "row 2, column title_ja: The file is saved in cp1251, which cannot hold “シ”, “ベ”, “リ”, “ア”, “抑”, “留”, "
        "“記” of the stored text: the program that saved it put other characters (such as ?) in their place. Save "
        "the sheet as CSV UTF-8 or as an Excel workbook (.xlsx), and import that file.",
    ]
    assert titles() == stored


@pytest.mark.django_db
def test_a_japanese_windows_file_with_look_alikes_for_russian_punctuation_is_refused(stored, tmp_path):
    # cp932 has no «, » or —: programs write ? for the quotes and the horizontal bar ― for the dash.
    saved = tmp_path / "saved-932.csv"
    saved.write_bytes(STORED.replace("—", "―").encode("cp932", errors="replace"))
    problems = refused(saved, "--encoding", "cp932", "--dry-run")
    assert [problem.split(":")[0] for problem in problems] == ["row 2, column title_ru", "row 2, column title_ru-Latn"]
    assert "cannot hold “«”, “»”, “—” of the stored text" in problems[0]
    assert titles() == stored


@pytest.mark.django_db
def test_a_japanese_windows_file_that_dropped_a_tie_and_replaced_a_prime_is_refused(tmp_path):
    # A library romanization (ALA-LC) in a cp932 file: programs drop the combining tie of i͡a and put ' for ʹ,
    # so the text comes back shorter; imported, it would be taken for an archivist's correction.
    source = tmp_path / "stored.csv"
    source.write_text("identifier,kind,title_ru-Latn,title_en\r\ndoc-cp-2,document,Testovai͡a zapisʹ,Notes\r\n",
                      encoding="utf-8")
    run(source)
    saved = tmp_path / "saved-932.csv"
    saved.write_bytes("identifier,kind,title_ru-Latn,title_en\r\ndoc-cp-2,document,Testovaia zapis',Notes\r\n"
                      .encode("cp932"))
    problems = refused(saved, "--encoding", "cp932", "--dry-run")
    assert [problem.split(":")[0] for problem in problems] == ["row 2, column title_ru-Latn"]
    assert "cannot hold “\u0361”, “ʹ” of the stored text" in problems[0]
    assert Record.objects.get(identifier="doc-cp-2").titles.get(language="ru-Latn").text == "Testovai͡a zapisʹ"


@pytest.mark.django_db
def test_a_code_page_file_that_really_changes_a_text_imports(stored, tmp_path):
    saved = tmp_path / "edited-1251.csv"
    edited_rows = "identifier,title_ru,title_en\r\ndoc-cp-1,Записки военнопленного,Notes 2\r\n"
    saved.write_bytes(edited_rows.encode("cp1251"))
    out, _err = run(saved, "--encoding", "cp1251")
    assert "document: 0 new, 1 updated, 0 unchanged" in out
    assert titles() == {**stored, "ru": "Записки военнопленного", "en": "Notes 2"}


@pytest.mark.django_db
def test_the_refusal_is_told_in_the_users_language(stored, tmp_path):
    saved = tmp_path / "saved-1251.csv"
    saved.write_bytes(STORED.encode("cp1251", errors="replace"))
    with translation.override("ru"):
        problems = refused(saved, "--encoding", "cp1251", said="ничего не записано")
    assert problems[1].startswith("строка 2, столбец title_ja: Файл сохранён в кодировке cp1251")


# New texts: nothing stored to compare with ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_record_whose_japanese_title_is_only_question_marks_is_refused(tmp_path):
    saved = tmp_path / "new-1251.csv"
    rows = ("identifier,kind,title_ja,title_ru,variant_titles\r\n"
            "doc-cp-2,document,シベリア 抑留記,Записки,ja:ハバロフスク\r\n")
    saved.write_bytes(rows.encode("cp1251", errors="replace"))
    problems = refused(saved, "--encoding", "cp1251")
    assert problems == [
        f"row 2, column {column}: The file is saved in cp1251, which cannot hold the text of this cell: the program "
        "that saved it put ? in place of its characters. Save the sheet as CSV UTF-8 or as an Excel workbook "
        "(.xlsx), and import that file." for column in ("title_ja", "variant_titles")]
    assert not Record.objects.filter(identifier="doc-cp-2").exists()


@pytest.mark.django_db
def test_a_question_mark_of_the_text_itself_is_kept(tmp_path):
    saved = tmp_path / "new-1251.csv"
    saved.write_bytes(("identifier,kind,title_ru,title_en,date_display\r\n"
                       "doc-cp-3,document,Кто виноват?,Who? Why?,19??\r\n").encode("cp1251"))
    out, _err = run(saved, "--encoding", "cp1251")
    assert "document: 1 new, 0 updated, 0 unchanged" in out
    assert titles_of("doc-cp-3") == {"ru": "Кто виноват?", "en": "Who? Why?"}


@pytest.mark.django_db
def test_question_marks_in_a_unicode_file_are_the_texts_own(tmp_path):
    saved = tmp_path / "new-utf8.csv"
    saved.write_text("identifier,kind,title_ja\r\ndoc-cp-4,document,？？？ ???\r\n", encoding="utf-8")
    out, _err = run(saved)
    assert "document: 1 new, 0 updated, 0 unchanged" in out


@pytest.mark.django_db
def test_an_author_whose_name_is_only_question_marks_is_refused_not_made_a_new_agent(tmp_path):
    source = tmp_path / "authors.csv"
    rows = "identifier,kind,title_en,authors\r\ndoc-cp-5,document,Notes,山田太郎\r\n"
    source.write_text(rows, encoding="utf-8")
    run(source)
    saved = tmp_path / "authors-1251.csv"
    saved.write_bytes((rows + "doc-cp-6,document,Notes,山田 花子\r\n").encode("cp1251", errors="replace"))
    problems = refused(saved, "--encoding", "cp1251")
    assert [problem.split(":")[0] for problem in problems] == ["row 2, column authors", "row 3, column authors"]
    assert "cannot hold the text of this cell" in problems[0]
    assert list(Agent.objects.values_list("names__text", flat=True)) == ["山田太郎"]


def titles_of(identifier: str) -> dict[str, str]:
    return dict(Record.objects.get(identifier=identifier).titles.values_list("language", "text"))


# Vocabulary sheets ----------------------------------------------------------------------------------------


PLACES = ("identifier,kind,name_ja,name_ru,name_en,variant_names\r\n"
          "place-cp-1,city,ハバロフスク,Хабаровск,Khabarovsk,ja:伯力|ru:Хабаровка\r\n")


def place_names() -> list[tuple[str, str, bool]]:
    return sorted(PlaceName.objects.filter(place__identifier="place-cp-1").values_list("language", "text", "preferred"))


@pytest.fixture
def stored_place(tmp_path):
    source = tmp_path / "places.csv"
    source.write_text(PLACES, encoding="utf-8")
    run(source, "--vocabulary", "places")
    return place_names()


@pytest.mark.django_db
def test_a_places_sheet_that_lost_the_japanese_names_is_refused(stored_place, tmp_path):
    saved = tmp_path / "places-1251.csv"
    saved.write_bytes(PLACES.encode("cp1251", errors="replace"))
    problems = refused(saved, "--encoding", "cp1251", "--vocabulary", "places")
    assert problems == [
        "row 2, column name_ja: The file is saved in cp1251, which cannot hold “ハ”, “バ”, “ロ”, “フ”, “ス”, “ク” of "
        "the stored text: the program that saved it put other characters (such as ?) in their place. Save the "
        "sheet as CSV UTF-8 or as an Excel workbook (.xlsx), and import that file.",
        "row 2, column variant_names: The file is saved in cp1251, which cannot hold “伯”, “力” of the stored text: "
        "the program that saved it put other characters (such as ?) in their place. Save the sheet as CSV UTF-8 "
        "or as an Excel workbook (.xlsx), and import that file.",
    ]
    assert place_names() == stored_place
    assert PlaceName.objects.filter(text__contains="?").count() == 0


@pytest.mark.django_db
def test_a_new_agent_whose_name_is_only_question_marks_is_refused(tmp_path):
    saved = tmp_path / "agents-1251.csv"
    saved.write_bytes("identifier,name_ja,name_ru\r\nagent-cp-1,山田 太郎,Ямада Таро\r\n".encode(
        "cp1251", errors="replace"))
    with translation.override("ja"):
        problems = refused(saved, "--encoding", "cp1251", "--vocabulary", "agents", said="何も書き込まれていません")
    assert problems == [
        "2 行目、列 name_ja：ファイルは cp1251 で保存されていますが、この文字コードではこのセルのテキストを表"
        "せないため、保存したソフトが文字を ? に置き換えています。シートを「CSV UTF-8」または Excel ブック"
        "（.xlsx）で保存し、そのファイルを取り込んでください。"]
    assert not Agent.objects.filter(identifier="agent-cp-1").exists()


@pytest.mark.django_db
def test_a_vocabulary_sheet_in_a_code_page_that_really_changes_a_name_imports(stored_place, tmp_path):
    saved = tmp_path / "places-1251.csv"
    saved.write_bytes("identifier,name_ru\r\nplace-cp-1,Хабаровск (город)\r\n".encode("cp1251"))
    out, _err = run(saved, "--encoding", "cp1251", "--vocabulary", "places")
    assert "0 new, 1 updated, 0 unchanged" in out
    assert ("ru", "Хабаровск (город)", True) in place_names()
