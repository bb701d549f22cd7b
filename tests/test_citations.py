"""Citations: BibTeX and RIS read back by their parsers, CSL-JSON, formatted styles."""

import json

import bibtexparser
import pytest
import rispy

from collection.citations import formatted_citation
from collection.models import AgentName, LabelForm, ResourceType
from tests.factories import AgentFactory, add_title, link_agent, titled

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    record = titled("テスト抑留記", "ja", kind="memoir", resource_type=ResourceType.BOOK, date_edtf="1952",
                    isbn="978-0-00-000000-2", publication_place="Test city")
    add_title(record, "Test memoir of internment", "en", form=LabelForm.TRANSLATION)
    author = AgentFactory(name="Testov, Test")
    AgentName.objects.filter(agent=author).update(family="Testov", given="Test")
    link_agent(record, author)
    russian = AgentFactory(name="Тестов Иван", name__language="ru")
    link_agent(russian and record, russian, role="editor")
    return record


def test_bibtex_parses_back_with_japanese_intact(client, book):
    response = client.get(f"/en/records/{book.identifier}/cite.bib")
    assert response["Content-Disposition"].endswith('.bib"')
    library = bibtexparser.parse_string(response.content.decode())
    entry = library.entries[0]
    assert entry.key == book.identifier and entry.entry_type == "book"
    assert entry["title"] == "{テスト抑留記}"
    assert "Testov, Test" in entry["author"] and entry["year"] == "{1952}"
    assert "Тестов Иван" in entry["editor"]


def test_ris_parses_back(client, book):
    text = client.get(f"/ja/records/{book.identifier}/cite.ris").content.decode()
    assert not text.startswith("1.")
    [entry] = rispy.loads(text)
    assert entry["type_of_reference"] == "BOOK"
    assert entry["title"] == "テスト抑留記"
    assert entry["authors"] == ["Testov, Test"]
    assert entry["year"] == "1952"


def test_csl_json_download(client, book):
    [item] = json.loads(client.get(f"/en/records/{book.identifier}/cite.json").content)
    assert item["title"] == "テスト抑留記" and item["type"] == "book"
    assert item["author"] == [{"family": "Testov", "given": "Test"}]
    assert item["issued"] == {"date-parts": [[1952]]}
    assert item["ISBN"] == "978-0-00-000000-2"


def test_formatted_citations_in_two_styles(book):
    apa = formatted_citation(book, "apa", "en")
    chicago = formatted_citation(book, "chicago-author-date", "en")
    assert "Testov" in apa and "1952" in apa and "テスト抑留記" in apa
    assert "Testov" in chicago and "テスト抑留記" in chicago
    assert apa != chicago


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
@pytest.mark.parametrize("resource_type", [ResourceType.BOOK, ResourceType.WEB_RESOURCE])
def test_a_work_without_author_is_cited_by_its_title_once(book, style, resource_type):
    anonymous = titled("Test anonymous report", resource_type=resource_type, date_edtf="1998")
    citation = formatted_citation(anonymous, style, "en").lower()  # Chicago title-cases English titles
    assert citation.startswith(("test anonymous report", "<i>test anonymous report", "“test anonymous report"))
    assert citation.count("test anonymous report") == 1, citation
    # A work with an author keeps its title after the author's name.
    assert formatted_citation(book, style, "en").count("テスト抑留記") == 1


def test_formatted_citation_escapes_markup(book):
    evil = titled("<script>alert(1)</script> Test")
    assert "<script>" not in formatted_citation(evil, "apa", "en")


def test_unknown_format_is_not_found(client, book):
    assert client.get(f"/en/records/{book.identifier}/cite.doc").status_code == 404
