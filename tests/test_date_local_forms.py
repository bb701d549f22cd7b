"""A full date written as office software or people write it locally is answered with its EDTF form."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collection.catalogue.writer import write_rows
from collection.models import Record
from collection.validators import validate_edtf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "edtf"), [
    ("15.03.1946", "1946-03-15"),  # a Russian spreadsheet's date saved as CSV
    ("1946/3/15", "1946-03-15"),
    ("1946.03.15", "1946-03-15"),
    ("1946年3月15日", "1946-03-15"),
    ("１９４６年３月１５日", "1946-03-15"),
    ("1946年8月", "1946-08"),
    ("1946年", "1946"),
    ("15/03/1946", "1946-03-15"),
])
def test_a_local_form_is_told_its_edtf_form(value, edtf):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [
        f"“{value}” is not written as an EDTF date, which gives the year first: write {edtf}."]


@pytest.mark.parametrize("value", ["03/04/1946", "31.02.1946", "1946/13/01"])
def test_a_date_that_cannot_be_told_for_certain_gets_no_suggestion(value):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert "write 1946" not in refusal.value.messages[0]


@pytest.mark.parametrize(("language", "said"), [("ja", "1946-03-15"), ("ru", "1946-03-15")])
def test_the_suggestion_is_translated(language, said):
    with translation.override(language):
        with pytest.raises(ValidationError) as refusal:
            validate_edtf("15.03.1946")
        message = refusal.value.messages[0]
    assert said in message and "EDTF" in message and "is not written" not in message


def test_the_import_names_the_row_and_the_date_column_and_writes_nothing():
    result = write_rows([(2, {"identifier": "mem-local-date", "kind": "memoir", "status": "draft",
                              "title_en": "Memoirs", "date": "15.03.1946"})])
    assert [(e.row, e.column) for e in result.errors] == [(2, "date")]
    assert "write 1946-03-15" in result.errors[0].message
    assert not Record.objects.exists()


@pytest.mark.parametrize(("value", "edtf"), [
    ("昭和22年", "1947"),
    ("昭和元年12月", "1926-12"),
    ("昭和20年8月15日", "1945-08-15"),
    ("昭和２２年頃", "1947~"),
    ("明治6年1月1日", "1873-01-01"),
    ("令和元年5月", "2019-05"),
])
def test_a_date_in_a_japanese_era_is_told_its_western_date(value, edtf):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [
        f"“{value}” is dated by a Japanese era, and EDTF by the Western calendar: write {edtf}. The wording may "
        "go in “date as written”."]


@pytest.mark.parametrize("value", ["昭和64年2月", "昭和元年11月", "大正20年", "令和元年4月",
                                   "明治5年12月2日", "明治元年"])  # the last two: lunar dates
def test_a_day_outside_its_era_or_the_western_calendar_gets_no_western_date(value):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert "Western calendar" not in refusal.value.messages[0]


@pytest.mark.parametrize(("value", "rule", "edtf"), [
    ("c. 1950", "writes “about” as a tilde after the date", "1950~"),
    ("ca 1950", "writes “about” as a tilde after the date", "1950~"),
    ("около 1950 г.", "writes “about” as a tilde after the date", "1950~"),
    ("1950年頃", "writes “about” as a tilde after the date", "1950~"),
    ("1945-1956", "writes a range with a slash between its ends", "1945/1956"),
    ("1945–1956 гг.", "writes a range with a slash between its ends", "1945/1956"),
    ("1945年〜1956年", "writes a range with a slash between its ends", "1945/1956"),
    ("１９４５～１９５６", "writes a range with a slash between its ends", "1945/1956"),
    ("1950年以降", "writes a range without one end with two dots for it", "1950/.."),
    ("с 1950 г.", "writes a range without one end with two dots for it", "1950/.."),
    ("1956年以前", "writes a range without one end with two dots for it", "../1956"),
    ("1950s", "writes a decade with X for its last digit", "195X"),
    ("1950-е гг.", "writes a decade with X for its last digit", "195X"),
    ("1950年代", "writes a decade with X for its last digit", "195X"),
])
def test_a_date_written_as_people_write_it_is_told_its_edtf_form(value, rule, edtf):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [f"“{value}”: EDTF {rule}: write {edtf}."]


@pytest.mark.parametrize("value", ["1950～", "１９５０〜"])
def test_a_japanese_tilde_after_a_year_is_told_both_readings(value):
    """After a year, a Japanese 〜 says "from"; EDTF's ~ says "about": the archivist chooses."""
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [
        f"“{value}”: in EDTF a tilde after a date means “about”. Write 1950/.. for 1950 and later, or 1950~ for "
        "about 1950."]


@pytest.mark.parametrize(("value", "edtf"), [("1946 г.", "1946"), ("1946-3-15", "1946-03-15")])
def test_a_year_word_or_an_unpadded_month_is_told_the_edtf_form(value, edtf):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert f"write {edtf}." in refusal.value.messages[0]


@pytest.mark.parametrize("value", ["1950~", "1946/1956", "1946-21", "195X", "1984/..", "1950?", "1945-08-23",
                                   "[1945,1950]", "1945-08-23/1945-09-02"])
def test_edtf_dates_are_taken_as_they_are(value):
    validate_edtf(value)


@pytest.mark.parametrize("value", ["1956-1945", "после 1950", "до 1950"])
def test_a_form_whose_meaning_is_a_guess_gets_no_suggestion(value):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [
        f"“{value}” is not a valid EDTF date (for example 1945-08-23, 1950~, 1946/1956, 1984/..)."]


def test_the_import_tells_a_japanese_era_by_row_and_column():
    result = write_rows([(2, {"identifier": "mem-era-date", "kind": "memoir", "status": "draft",
                              "title_ja": "抑留記", "date": "昭和22年"})])
    assert [(e.row, e.column) for e in result.errors] == [(2, "date")]
    assert "write 1947" in result.errors[0].message
    assert not Record.objects.exists()


@pytest.mark.parametrize(("language", "said"), [("ja", "1947 と書いてください"), ("ru", "запишите 1947")])
def test_the_western_date_of_an_era_is_told_in_the_archivists_language(language, said):
    with translation.override(language):
        with pytest.raises(ValidationError) as refusal:
            validate_edtf("昭和22年")
        message = refusal.value.messages[0]
    assert said in message


@pytest.mark.parametrize(("value", "last"), [
    ("1947-02-30", "1947-02-28"),
    ("1947-02-29", "1947-02-28"),  # not a leap year
    ("1900-02-29", "1900-02-28"),  # nor is 1900
    ("1948-04-31?", "1948-04-30"),
    ("1946/1947-06-31", "1947-06-30"),  # an end of a range
])
def test_a_day_its_month_does_not_have_is_told_the_months_last_day(value, last):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [
        f"“{value}” is not a day of the calendar: the last day of that month is {last}."]


@pytest.mark.parametrize("value", ["1947-13-01", "1947-00-10"])
def test_a_month_the_year_does_not_have_is_told_so(value):
    with pytest.raises(ValidationError) as refusal:
        validate_edtf(value)
    assert refusal.value.messages == [f"“{value}” is not a day of the calendar: a month is numbered 01 to 12."]


@pytest.mark.parametrize(("language", "said"), [
    ("ja", "「1947-02-30」という日は暦にありません。その月の最後の日は 1947-02-28 です。"),
    ("ru", "«1947-02-30» — такого дня в календаре нет: последний день этого месяца — 1947-02-28."),
])
def test_the_last_day_is_told_in_the_readers_language(language, said):
    with translation.override(language):
        with pytest.raises(ValidationError) as refusal:
            validate_edtf("1947-02-30")
        assert refusal.value.messages == [said]


def test_the_import_tells_the_row_and_column_of_a_day_that_does_not_exist():
    result = write_rows([(2, {"identifier": "mem-no-day", "kind": "memoir", "status": "draft",
                              "title_en": "Memoirs", "date": "1947-02-30"})])
    assert [str(error) for error in result.errors] == [
        "row 2, column date: “1947-02-30” is not a day of the calendar: the last day of that month is 1947-02-28."]
    assert not Record.objects.exists()
