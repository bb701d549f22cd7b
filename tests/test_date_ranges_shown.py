"""A range of days or months reads as people write it: the year once, and the month once when both days are in it."""

import pytest
from django.utils import translation

from collection.citations import csl_json, formatted_citation
from collection.dates import edtf_in_words

from .factories import titled

pytestmark = pytest.mark.django_db

WORDS = {
    # Two months of one year: the year once.
    "1945-08-23/1945-09-02": {"en": "August 23 – September 2, 1945", "ru": "23 августа – 2 сентября 1945 г.",
                              "ja": "1945年8月23日～9月2日"},
    # Days of one month: the month once too.
    "1945-08-23/1945-08-30": {"en": "August 23–30, 1945", "ru": "23–30 августа 1945 г.",
                              "ja": "1945年8月23日～30日"},
    # Across a new year: both years, as before.
    "1945-12-23/1946-01-02": {"en": "December 23, 1945–January 2, 1946",
                              "ru": "23 декабря 1945 г.–2 января 1946 г.", "ja": "1945年12月23日～1946年1月2日"},
    # A range of one day is that day.
    "1945-08-23/1945-08-23": {"en": "August 23, 1945", "ru": "23 августа 1945 г.", "ja": "1945年8月23日"},
    # Months of one year: the year once; a quarter or a half of a year is such a range too.
    "1945-08/1945-09": {"en": "August–September 1945", "ru": "август–сентябрь 1945 г.", "ja": "1945年8月～9月"},
    "1946-33": {"en": "January–March 1946", "ru": "январь–март 1946 г.", "ja": "1946年1月～3月"},
    "1946-41": {"en": "July–December 1946", "ru": "июль–декабрь 1946 г.", "ja": "1946年7月～12月"},
    "1945-08/1945-08": {"en": "August 1945", "ru": "август 1945 г.", "ja": "1945年8月"},
}


@pytest.mark.parametrize("language", ["en", "ru", "ja"])
@pytest.mark.parametrize("edtf", list(WORDS))
def test_a_range_of_days_or_months_writes_what_both_ends_share_once(edtf, language):
    with translation.override(language):
        assert edtf_in_words(edtf) == WORDS[edtf][language]


@pytest.mark.parametrize(("edtf", "language", "words"), [
    # A qualifier belongs to one end: both ends stay whole, with their markers where they are shown now.
    ("1945-08-23~/1945-09-02", "en", "circa August 23, 1945–September 2, 1945"),
    ("1945-08-23/1945-09-02?", "en", "August 23, 1945–September 2, 1945?"),
    ("1945-08-23/1945-08-30?", "ru", "23 августа 1945 г.–30 августа 1945 г. (?)"),
    ("1945-08-23~/1945-08-30", "ja", "1945年8月23日頃～1945年8月30日"),
    # Years and months are as they were.
    ("1946/1956", "en", "1946–1956"),
    ("1945-08/1946-02", "ru", "август 1945 г.–февраль 1946 г."),
])
def test_an_uncertain_end_keeps_the_whole_dates(edtf, language, words):
    with translation.override(language):
        assert edtf_in_words(edtf) == words


@pytest.mark.parametrize("language", ["en", "ru", "ja"])
def test_the_record_page_and_the_list_show_the_range_as_people_write_it(client, language):
    record = titled("Test surrender week", date_edtf="1945-08-23/1945-09-02", identifier="doc-surrender-week")
    words = WORDS["1945-08-23/1945-09-02"][language]
    page = client.get(f"/{language}/records/{record.identifier}/").content.decode()
    assert f"<dd>{words}</dd>" in page
    listing = client.get(f"/{language}/records/").content.decode()
    assert f'<span class="date">{words}</span>' in listing


@pytest.mark.parametrize("edtf", ["1945-08-23/1945-09-02", "1945-08-23/1945-08-30", "1945-08/1945-09"])
@pytest.mark.parametrize("language", ["en", "ru", "ja"])
@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_a_range_within_a_year_is_cited_in_the_styles_own_format(edtf, language, style):
    record = titled("Test surrender week", date_edtf=edtf, identifier="doc-surrender-week")
    assert csl_json(record)["issued"] == {"date-parts": [
        [int(part) for part in end.split("-")] for end in edtf.split("/")]}
    citation = formatted_citation(record, style, language)  # failed for a range within one year
    assert "1945" in citation and "1945–" not in citation


def test_the_page_of_a_record_dated_within_a_year_cites_it(client):
    record = titled("Test surrender week", date_edtf="1945-08-23/1945-09-02", identifier="doc-surrender-week")
    response = client.get(f"/en/records/{record.identifier}/")
    assert response.status_code == 200
    assert "“Test Surrender Week.” 1945. August 23–September 2." in response.content.decode()  # Chicago


# Each style's month and day of a record dated 1945-08-23/1945-08-30 and of one dated 1945-08-23/1945-09-02.
CITED_DAYS = {
    "en": {"chicago-author-date": ("1945. August 23–30.", "1945. August 23–September 2."),
           "apa": ("(1945, August 23–30)", "(1945, August 23–September 2)")},
    "ru": {"chicago-author-date": ("1945. 23–30 августа.", "1945. 23 августа–2 сентября."),
           "apa": ("(1945, 23–30 августа)", "(1945, 23 августа–2 сентября)")},
    "ja": {"chicago-author-date": ("1945年. 8月23日–30日.", "1945年. 8月23日–9月2日."),
           "apa": ("(1945年8月23日–30日)", "(1945年8月23日–9月2日)")},
}

# A newspaper's issue dated 1945-08/1945-09, compared in lower case: Chicago capitalizes a month starting a part of
# the citation (Август–сентябрь), APA does not.
CITED_MONTHS = {"en": "august–september", "ru": "август–сентябрь", "ja": "8月–9月"}


@pytest.mark.parametrize("language", ["en", "ru", "ja"])
def test_a_range_of_days_within_one_month_is_cited_with_the_month_once(language):
    within = titled("Test surrender week", date_edtf="1945-08-23/1945-08-30", identifier="doc-surrender-week")
    across = titled("Test surrender fortnight", date_edtf="1945-08-23/1945-09-02", identifier="doc-surrender-fortnight")
    broadcast = titled("Test surrender broadcasts", date_edtf="1945-08-23/1945-08-30", identifier="news-surrender-week",
                       resource_type="news-item")
    months = titled("Test surrender months", date_edtf="1945-08/1945-09", identifier="news-surrender-months",
                    resource_type="newspaper-article")
    for style, (within_words, across_words) in CITED_DAYS[language].items():
        assert within_words in formatted_citation(within, style, language)  # was "August 23–August 30"
        assert across_words in formatted_citation(across, style, language)  # each end's month, as before
        # Both months, as before; the Russian with no space after the dash, where it had one (август– сентябрь).
        assert CITED_MONTHS[language] in formatted_citation(months, style, language).lower()
    # The word saying it aired stays with the date, before it or joined after it as each language writes it.
    aired = {"en": "Aired August 23–30.", "ru": "Эфир 23–30 августа.", "ja": "8月23日–30日放送."}[language]
    assert aired in formatted_citation(broadcast, "chicago-author-date", language)
