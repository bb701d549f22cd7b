"""A range of days reads as people write it: the year once, and the month once when both days are in it."""

import pytest

from collection.citations import csl_json, formatted_citation

from .factories import titled

pytestmark = pytest.mark.django_db


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
