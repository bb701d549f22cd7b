"""Citations: BibTeX and RIS read back by their parsers, CSL-JSON, formatted styles."""

import datetime
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


@pytest.fixture
def news_article():
    return titled("Test news of repatriation", resource_type=ResourceType.NEWSPAPER_ARTICLE, date_edtf="1998-04-12",
                  container_title="Test Times")


@pytest.mark.parametrize(("language", "day"), [("en", "April 12"), ("ja", "4月12日"), ("ru", "12 апреля")])
@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_a_day_is_written_as_the_language_writes_it(news_article, style, language, day):
    citation = formatted_citation(news_article, style, language)
    assert day in citation, citation
    # No date part leaves an affix behind when the year is shown apart from the month and day.
    assert f"{day}, " not in citation and f"{day} " + ")" not in citation


def test_a_full_date_reads_in_each_language(news_article):
    news_article.resource_type = ResourceType.WEB_RESOURCE
    news_article.url = "https://example.org/test"
    news_article.accessed = datetime.date(2020, 5, 3)
    news_article.date_edtf = ""
    news_article.save()
    for style in ("apa", "chicago-author-date"):
        assert "May 3, 2020" in formatted_citation(news_article, style, "en")
        assert "2020年5月3日" in formatted_citation(news_article, style, "ja")
        assert "3 мая 2020 г." in formatted_citation(news_article, style, "ru")


@pytest.mark.parametrize("language", ["en", "ja", "ru"])
def test_no_edition_label_without_an_edition(news_article, language):
    citation = formatted_citation(news_article, "chicago-author-date", language)
    assert not {"Edition", "版", "Издание", "изд."} & set(citation.replace(".", " ").split()), citation
    news_article.edition = "Late"
    news_article.save()
    assert "Late" in formatted_citation(news_article, "chicago-author-date", "en")


def test_a_news_item_with_a_web_address_is_an_online_article_and_one_without_a_broadcast(news_article):
    news_article.resource_type = ResourceType.NEWS_ITEM
    news_article.url = "https://example.org/news"
    news_article.save()
    assert "Broadcast" not in formatted_citation(news_article, "apa", "en")
    news_article.url = ""
    news_article.save()
    assert "[Broadcast]" in formatted_citation(news_article, "apa", "en")
    assert "[Передача]" in formatted_citation(news_article, "apa", "ru")
