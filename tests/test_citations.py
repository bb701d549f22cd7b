"""Citations: BibTeX and RIS read back by their parsers, CSL-JSON, formatted styles."""

import datetime
import json
import re

import bibtexparser
import lxml.html
import pytest
import rispy

from collection.catalogue.vocabulary import write_vocabulary
from collection.citations import bibtex, csl_json, formatted_citation, highwire_meta, ris
from collection.models import (
    Agent,
    AgentKind,
    AgentName,
    AgentRole,
    LabelForm,
    Language,
    LevelOfDescription,
    Record,
    ResourceType,
    Status,
)
from tests.factories import AgentFactory, add_title, link_agent, person, titled

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
    assert "[放送]" in formatted_citation(news_article, "apa", "ja")


@pytest.mark.parametrize(("language", "apa_date", "chicago_date"), [
    ("en", "(1998, April 12)", "Aired April 12."),
    ("ja", "(1998年4月12日)", "4月12日放送."),
    ("ru", "(1998, 12 апреля)", "Эфир 12 апреля."),
])
def test_the_day_a_broadcast_aired_is_worded_in_the_citations_language(news_article, language, apa_date,
                                                                        chicago_date):
    news_article.resource_type = ResourceType.NEWS_ITEM
    news_article.save()
    assert apa_date in formatted_citation(news_article, "apa", language)
    chicago = formatted_citation(news_article, "chicago-author-date", language)
    assert chicago_date in chicago, chicago
    if language != "en":
        assert "Aired" not in chicago


# --- the item's language: only English titles are title-cased -------------------------------------------------


@pytest.mark.parametrize("material", [None, "en"])
def test_a_russian_title_is_not_title_cased(material):
    letters = titled("Тестовые письма из лагеря", "ru")  # no resource type
    if material:
        letters.languages.add(Language.objects.create(tag=material))
    assert csl_json(letters)["language"] == "ru"
    for style in ("chicago-author-date", "apa"):
        citation = formatted_citation(letters, style, "en")
        assert "Тестовые письма из лагеря" in citation, citation


def test_an_english_title_is_still_title_cased_in_chicago():
    english = titled("test letters from the camp", "en")
    assert "Test Letters from the Camp" in formatted_citation(english, "chicago-author-date", "en")
    assert "language" not in csl_json(english)  # English, and no language of the material catalogued


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
@pytest.mark.parametrize(("parent_title", "parent_language"), [
    ("Тестовый сборник статей о лагерях", "ru"),
    ("Tesuto no horyo to sono kiroku", "ja-Latn"),
])
def test_the_book_an_english_chapter_is_in_keeps_its_own_case(style, parent_title, parent_language):
    book = titled(parent_title, parent_language, resource_type=ResourceType.BOOK)
    chapter = titled("test chapter on the camps", "en", resource_type=ResourceType.BOOK_SECTION, parent=book)
    for page in ("en", "ru", "ja"):
        text = citation_fragment(formatted_citation(chapter, style, page)).text_content()
        assert parent_title in text, text


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_a_journal_in_cyrillic_is_romanized_in_an_english_citation_and_keeps_its_case(style):
    article = titled("test article on the camps", "en", resource_type=ResourceType.JOURNAL_ARTICLE,
                     container_title="Тестовые вопросы истории", date_edtf="1999")
    english = formatted_citation(article, style, "en")
    assert '<span lang="ru-Latn">Testovye voprosy istorii</span>' in english and "Тестовые" not in english, english
    for language in ("ja", "ru"):
        assert "Тестовые вопросы истории" in formatted_citation(article, style, language)


def test_the_english_downloads_romanize_a_place_and_a_journal_in_cyrillic_as_the_title():
    article = romanized_russian(ResourceType.JOURNAL_ARTICLE, container_title="Тестовый вестник",
                                publication_place="Владивосток")
    item = csl_json(article, "en")
    assert (item["title"], item["container-title"], item["publisher-place"]) == (
        "Testovye voennoplennye v Primorʹe", "Testovyĭ vestnik", "Vladivostok")
    fields = bib_fields(bibtex(article, "en"))
    assert (fields["journal"], fields["address"]) == ("{{Testovyĭ vestnik}}", "{{Vladivostok}}")
    [entry] = rispy.loads(ris(article, "en"))
    assert (entry["secondary_title"], entry["place_published"]) == ("Testovyĭ vestnik", "Vladivostok")
    # The Japanese and Russian downloads cite them as written, as they cite the title.
    for language in ("ja", "ru"):
        item = csl_json(article, language)
        assert (item["container-title"], item["publisher-place"]) == ("Тестовый вестник", "Владивосток")


def test_an_english_journal_and_book_are_still_title_cased():
    article = titled("test article on the camps", "en", resource_type=ResourceType.JOURNAL_ARTICLE,
                     container_title="test bulletin of the camps", date_edtf="1999")
    assert "Test Bulletin of the Camps" in formatted_citation(article, "chicago-author-date", "en")
    book = titled("test papers on the camps", "en", resource_type=ResourceType.BOOK)
    chapter = titled("test chapter on the camps", "en", resource_type=ResourceType.BOOK_SECTION, parent=book)
    assert "Test Papers on the Camps" in formatted_citation(chapter, "chicago-author-date", "en")


def bib_fields(text: str) -> dict[str, str]:
    """A BibTeX entry's fields as written, delimiters included."""
    return dict(re.findall(r"^\t(\w+) = (.*?),?$", text, re.MULTILINE))


# --- BibTeX is LaTeX -----------------------------------------------------------------------------------------


@pytest.fixture
def article():
    record = titled("Test 50% of $5 for #1 a_b {x} ~y^ back\\slash", resource_type=ResourceType.JOURNAL_ARTICLE,
                    date_edtf="2001", container_title="Test War & Society", volume="19", issue="1",
                    pages="131-148", url="https://example.org/a_b%2fc")
    link_agent(record, AgentFactory(name="Test Piper"))  # catalogued whole: no family or given name
    return record


def test_bibtex_escapes_latex_and_braces_names_once(article):
    text = bibtex(article)
    fields = bib_fields(text)
    assert fields["journal"] == "{{Test War \\& Society}}"
    assert fields["author"] == "{{Test Piper}}"
    assert fields["pages"] == "{{131--148}}"
    assert fields["title"] == ("{{Test 50\\% of \\$5 for \\#1 a\\_b \\textbraceleft{}x\\textbraceright{} "
                               "\\textasciitilde{}y\\textasciicircum{} back\\textbackslash{}slash}}")
    assert fields["url"] == "{https://example.org/a_b%2fc}"  # a URL is read verbatim: the address as it is
    # No special character is left bare outside the URL.
    body = "\n".join(line for line in text.splitlines() if not line.startswith("\turl"))
    assert not re.search(r"(?<!\\)[&%$#_]", body), body


def test_bibtex_reads_back_as_the_catalogued_text(article):
    from bibtexparser.middlewares import LatexDecodingMiddleware

    library = bibtexparser.parse_string(bibtex(article), append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    entry = library.entries[0]
    assert entry["journal"] == "Test War & Society"
    assert entry["author"] == "Test Piper"
    assert entry["title"].startswith("Test 50% of $5 for #1 a_b")


def test_bibtex_names_with_family_and_given_stay_a_list(book):
    fields = bib_fields(bibtex(book))
    assert fields["author"] == "{Testov, Test}"
    assert fields["editor"] == "{{Тестов Иван}}"


# --- dates: precision and qualifiers -------------------------------------------------------------------------


def test_a_full_date_in_ris_bibtex_and_meta(news_article):
    [entry] = rispy.loads(ris(news_article))
    assert entry["year"] == "1998" and entry["date"] == "1998/04/12/"
    meta = dict(highwire_meta(news_article, "https://example.org/r"))
    assert meta["citation_date"] == "1998/04/12" and meta["DC.date"] == "1998-04-12"
    assert bib_fields(bibtex(news_article))["month"] == "apr"


def test_bibtex_keeps_the_day_and_a_range_in_biblatex_date(news_article):
    assert bib_fields(bibtex(news_article))["date"] == "{1998-04-12}"
    ranged = titled("Test ranged", resource_type=ResourceType.BOOK, date_edtf="1960/1965")
    fields = bib_fields(bibtex(ranged))
    assert fields["year"] == "{{1960}}" and fields["date"] == "{1960/1965}"
    assert "date" not in bib_fields(bibtex(titled("Test yearly", resource_type=ResourceType.BOOK, date_edtf="1960")))


def test_meta_tags_give_the_pages(article):
    meta = highwire_meta(article, "https://example.org/r")
    assert ("citation_firstpage", "131") in meta and ("citation_lastpage", "148") in meta


def test_a_month_in_ris_bibtex_and_meta():
    record = titled("Test monthly", resource_type=ResourceType.BOOK, date_edtf="2003-04")
    assert csl_json(record)["issued"] == {"date-parts": [[2003, 4]]}
    fields = bib_fields(bibtex(record))
    assert fields["month"] == "apr" and fields["year"] == "{{2003}}"
    assert rispy.loads(ris(record))[0]["date"] == "2003/04//"
    assert dict(highwire_meta(record, "https://example.org/r"))["citation_date"] == "2003/04"


@pytest.mark.parametrize(("edtf", "issued"), [
    ("1950", {"date-parts": [[1950]]}),
    ("1950~", {"date-parts": [[1950]], "circa": True}),
    ("1945-08~", {"date-parts": [[1945, 8]], "circa": True}),
    ("1946/1956", {"date-parts": [[1946], [1956]]}),
    ("1946~/1956", {"date-parts": [[1946], [1956]], "circa": True}),
    ("195X", {"date-parts": [[1950], [1959]]}),
    # What CSL's date parts cannot say is given as the page words it.
    ("1947%", {"literal": "ca. 1947?"}),
    ("1950?", {"literal": "1950?"}),
    ("1984/..", {"literal": "1984 onward"}),
    ("../1956", {"literal": "until 1956"}),
    ("[1945,1950]", {"literal": "1945 or 1950"}),
    ("{1945,1950}", {"literal": "1945 and 1950"}),
])
def test_csl_dates_keep_precision_and_qualifiers(edtf, issued):
    assert csl_json(titled("Test dated", date_edtf=edtf), "en")["issued"] == issued


def test_an_open_start_is_dated_by_its_end():
    record = titled("Test until", resource_type=ResourceType.BOOK, date_edtf="../1956")
    assert bib_fields(bibtex(record, "en"))["year"] == "{{until 1956}}"
    assert rispy.loads(ris(record, "en"))[0]["year"] == "1956"


@pytest.mark.parametrize(("edtf", "language", "words", "year"), [
    ("[1945,1950]", "en", "1945 or 1950", "1945"),
    ("{1945,1950}", "ja", "1945年と1950年", "1945"),
    ("1984/..", "ru", "1984 и позднее", "1984"),
    ("../1950", "en", "until 1950", "1950"),
    ("1945?", "ja", "1945年？", "1945"),
    ("1945-08%", "en", "ca. August 1945?", "1945"),
])
def test_exports_give_an_uncertain_date_in_words(edtf, language, words, year):
    """BibTeX prints its year as written, and Zotero keeps a CSL-JSON literal date and a RIS date it cannot parse
    as its date text; a range or a bare year in their place would misstate the date."""
    record = titled("Test uncertain", resource_type=ResourceType.BOOK, date_edtf=edtf)
    assert csl_json(record, language)["issued"] == {"literal": words}
    fields = bib_fields(bibtex(record, language))
    assert fields["year"] == "{{" + words + "}}"
    assert "date" not in fields and "month" not in fields
    [entry] = rispy.loads(ris(record, language))
    assert entry["year"] == year and entry["date"] == words  # PY, the year to sort by; DA, the date as worded
    meta = dict(highwire_meta(record, "https://example.org/r", language))
    assert meta["citation_date"] == words and meta["DC.date"] == words


@pytest.mark.parametrize("edtf", ["1950~", "1947%"])
@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_an_approximate_date_is_cited_circa(style, edtf):
    record = titled("Test approximate", resource_type=ResourceType.BOOK, date_edtf=edtf)
    citation = formatted_citation(record, style, "en")
    assert f"ca. {edtf[:4]}" in citation, citation
    assert "?]" not in citation
    assert "ca." not in formatted_citation(titled("Test exact", resource_type=ResourceType.BOOK,
                                                  date_edtf="1950"), style, "en")


# --- the issuing body, and the work a record is part of ------------------------------------------------------


@pytest.fixture
def decree():
    record = titled("Тестовое постановление", "ru", resource_type=ResourceType.DECREE, date_edtf="1945-08-23")
    body = AgentFactory(name="Test State Committee", kind=AgentKind.ORGANISATION)
    link_agent(record, body, role=AgentRole.ISSUING_BODY)
    return record


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_a_document_is_cited_under_its_issuing_body(decree, style):
    assert formatted_citation(decree, style, "en").startswith("Test State Committee"), style
    assert csl_json(decree)["author"] == [{"literal": "Test State Committee"}]
    [entry] = rispy.loads(ris(decree))
    assert entry["authors"] == ["Test State Committee"] and entry["type_of_reference"] == "STAT"
    assert bib_fields(bibtex(decree))["author"] == "{{Test State Committee}}"
    assert ("citation_author", "Test State Committee") in highwire_meta(decree, "https://example.org/r")


def test_an_author_comes_before_the_issuing_body(decree):
    link_agent(decree, AgentFactory(name="Test Drafter"))
    assert csl_json(decree)["author"] == [{"literal": "Test Drafter"}]


def test_a_decree_without_issuer_or_author_is_cited_by_its_title():
    record = titled("Тестовый указ", "ru", resource_type=ResourceType.DECREE, date_edtf="1945")
    assert csl_json(record)["type"] == "legislation" and "author" not in csl_json(record)


@pytest.fixture
def series():
    return titled("Тестовая серия", "ru", resource_type=ResourceType.BOOK, level=LevelOfDescription.SERIES)


def test_a_volume_is_cited_with_its_series_and_number(series):
    volume = titled("Тестовый выпуск", "ru", resource_type=ResourceType.BOOK, parent=series,
                    level=LevelOfDescription.VOLUME, sequence=2, date_edtf="2005")
    item = csl_json(volume)
    assert item["collection-title"] == "Тестовая серия" and item["volume"] == "2"
    [entry] = rispy.loads(ris(volume))
    assert entry["secondary_title"] == "Тестовая серия" and entry["volume"] == "2"
    fields = bib_fields(bibtex(volume))
    assert fields["series"] == "{{Тестовая серия}}" and fields["volume"] == "{{2}}"
    assert "Тестовая серия" in formatted_citation(volume, "chicago-author-date", "en")


def test_a_part_of_a_book_is_cited_in_it(series):
    chapter = titled("Тестовая глава", "ru", resource_type=ResourceType.BOOK_SECTION, parent=series)
    assert csl_json(chapter)["container-title"] == "Тестовая серия"
    assert rispy.loads(ris(chapter))[0]["secondary_title"] == "Тестовая серия"


def test_a_series_number_of_an_item_that_is_not_a_volume(series):
    report = titled("Тестовый отчёт", "ru", resource_type=ResourceType.REPORT, parent=series, sequence=3)
    item = csl_json(report)
    assert item["collection-title"] == "Тестовая серия" and item["collection-number"] == "3"
    assert "volume" not in item
    assert rispy.loads(ris(report))[0]["tertiary_title"] == "Тестовая серия"


def test_an_unpublished_parent_is_not_named(series):
    series.status = Status.DRAFT
    series.save()
    volume = titled("Тестовый выпуск", "ru", resource_type=ResourceType.BOOK, parent=series,
                    level=LevelOfDescription.VOLUME, sequence=2)
    item = csl_json(volume)
    assert "collection-title" not in item and "container-title" not in item
    assert item["volume"] == "2"  # the volume's own number is no secret
    assert "Тестовая серия" not in ris(volume) + bibtex(volume) + formatted_citation(volume, "apa", "en")


# --- the language of each text in the formatted citation -----------------------------------------------------


def languages_in_citations(html: str, text: str) -> list[tuple[str, str]]:
    """For each occurrence of ``text`` in the page's citations, the nearest element giving it a language:
    its tag (``html`` for the page's own language) and its ``lang``."""
    document = lxml.html.fromstring(html)
    found = []
    for citation in document.xpath('//dd[@class="citation"]'):
        for node in citation.xpath(".//text()"):
            if text in node:
                element = node.getparent().getparent() if node.is_tail else node.getparent()
                nearest = element.xpath("ancestor-or-self::*[@lang][1]")[0]
                found.append((nearest.tag, nearest.get("lang")))
    return found


def citation_fragment(citation: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(citation, create_parent="dd")


def test_a_japanese_title_is_marked_japanese_on_the_english_page(client, book):
    page = client.get(f"/en/records/{book.identifier}/").content.decode()
    assert languages_in_citations(page, "テスト抑留記") == [("span", "ja")] * 2  # Chicago and APA
    assert languages_in_citations(page, "Тестов Иван") == [("span", "ru")] * 2
    assert languages_in_citations(page, "Testov") == [("html", "en")] * 2  # in the page's language: no wrapper


def test_a_japanese_title_has_no_wrapper_on_the_japanese_page(client, book):
    page = client.get(f"/ja/records/{book.identifier}/").content.decode()
    assert languages_in_citations(page, "テスト抑留記") == [("html", "ja")] * 2
    assert languages_in_citations(page, "Testov") == [("span", "en")] * 2


def test_a_russian_title_and_issuer_are_marked_russian_on_the_japanese_page(client, decree):
    page = client.get(f"/ja/records/{decree.identifier}/").content.decode()
    assert languages_in_citations(page, "Тестовое постановление") == [("span", "ru")] * 2
    assert languages_in_citations(page, "Test State Committee") == [("span", "en")] * 2
    russian = client.get(f"/ru/records/{decree.identifier}/").content.decode()
    assert languages_in_citations(russian, "Тестовое постановление") == [("html", "ru")] * 2


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_the_book_a_chapter_is_part_of_is_marked_with_its_own_language(style):
    book = titled("テスト論集", "ja", resource_type=ResourceType.BOOK)
    chapter = titled("Тестовая глава", "ru", resource_type=ResourceType.BOOK_SECTION, parent=book)
    citation = citation_fragment(formatted_citation(chapter, style, "en"))
    assert [span.text for span in citation.xpath('.//*[@lang="ja"]')] == ["テスト論集"]
    assert [span.text for span in citation.xpath('.//*[@lang="ru"]')] == ["Тестовая глава"]


def test_markup_and_ampersands_in_a_marked_title_stay_escaped_text(book):
    evil = titled("<script>alert(1)</script> Тест & «кавычки»", "ru", resource_type=ResourceType.BOOK)
    for style in ("apa", "chicago-author-date"):
        html = formatted_citation(evil, style, "en")
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Тест &amp; «кавычки»" in html
        citation = citation_fragment(html)
        assert not citation.xpath(".//script")
        [marked] = citation.xpath('.//*[@lang="ru"]')
        assert marked.text_content() == "<script>alert(1)</script> Тест & «кавычки»"
        assert marked.getparent().tag == "i"  # citeproc's italics, around the marked title


def test_an_english_title_on_a_russian_page_is_marked_and_still_title_cased():
    english = titled("test letters from the camp they lived in", "en")
    citation = citation_fragment(formatted_citation(english, "chicago-author-date", "ru"))
    # As the unmarked title is cased: the first word capitalized, a stop word left lower case even at the end.
    assert [span.text for span in citation.xpath('.//*[@lang="en"]')] == ["Test Letters from the Camp They Lived in"]


def test_a_name_keeps_its_initials_and_is_one_element():
    record = titled("Test memoir", resource_type=ResourceType.BOOK, date_edtf="1960")
    author = AgentFactory(name="Тестов, Иван Петрович", name__language="ru")
    AgentName.objects.filter(agent=author).update(family="Тестов", given="Иван Петрович")
    link_agent(record, author)
    html = formatted_citation(record, "apa", "en")
    assert html.startswith('<span lang="ru">Тестов, И. П</span>. '), html
    # Chicago's bibliography gives the given names in full, in the same one element.
    html = formatted_citation(record, "chicago-author-date", "en")
    assert html.startswith('<span lang="ru">Тестов, Иван Петрович</span>. '), html


def test_a_romanized_name_carries_its_own_tag():
    record = titled("Test memoir", resource_type=ResourceType.BOOK)
    link_agent(record, AgentFactory(name="Tesuto Tarō", name__language="ja-Latn"))
    citation = citation_fragment(formatted_citation(record, "apa", "en"))
    assert [span.text for span in citation.xpath(".//*[@lang]")] == ["Tesuto Tarō"]
    assert citation.xpath(".//*[@lang]")[0].get("lang") == "ja-Latn"


def test_a_name_ending_in_a_period_is_not_followed_by_another():
    for language in ("ja", "ru"):
        record = titled("Тестовая статья", "ru", resource_type=ResourceType.BOOK, date_edtf="2001")
        link_agent(record, AgentFactory(name="Test Co., Ltd.", kind=AgentKind.ORGANISATION))
        html = formatted_citation(record, "chicago-author-date", language)
        assert html.startswith('<span lang="en">Test Co., Ltd</span>. 2001'), html


def test_free_text_is_cited_in_the_language_its_letters_say_as_the_page_marks_it(client):
    article = titled("Тестовая статья", "ru", resource_type=ResourceType.JOURNAL_ARTICLE, date_edtf="1990",
                     container_title="Тестовый вестник", publication_place="Владивосток")
    page = client.get(f"/ja/records/{article.identifier}/").content.decode()
    # As the record's page shows them, above the citations: Cyrillic letters are read as Russian.
    assert '<span lang="ru">Тестовый вестник</span>' in page and '<dd lang="ru">Владивосток</dd>' in page
    assert languages_in_citations(page, "Тестовый вестник") == [("span", "ru")] * 2  # Chicago and APA
    assert languages_in_citations(page, "Владивосток") == [("span", "ru")]  # Chicago: APA gives no place
    assert languages_in_citations(page, "Тестовая статья") == [("span", "ru")] * 2
    # On a Russian page they are in the page's language.
    russian = client.get(f"/ru/records/{article.identifier}/").content.decode()
    assert languages_in_citations(russian, "Тестовый вестник") == [("html", "ru")] * 2
    assert languages_in_citations(russian, "Владивосток") == [("html", "ru")]
    exported = bibtex(article, "ja") + ris(article, "ja") + json.dumps(csl_json(article, "ja"), ensure_ascii=False)
    assert "Тестовый вестник" in exported and not re.search("[\ufdd0-\ufdef]|<span", exported)


def test_free_text_in_kana_or_kanji_is_cited_as_japanese_and_latin_letters_as_of_no_known_language(client):
    chapter = titled("Test chapter", "en", resource_type=ResourceType.BOOK_SECTION, date_edtf="1990",
                     container_title="抑留の本", publication_place="東京")
    page = client.get(f"/en/records/{chapter.identifier}/").content.decode()
    assert '<span lang="ja">抑留の本</span>' in page and '<dd lang="ja">東京</dd>' in page
    assert languages_in_citations(page, "抑留の本") == [("span", "ja")] * 2
    assert languages_in_citations(page, "東京") == [("span", "ja")]  # Chicago: APA gives no place
    japanese = client.get(f"/ja/records/{chapter.identifier}/").content.decode()
    assert languages_in_citations(japanese, "抑留の本") == [("html", "ja")] * 2
    # Latin letters say no language: English, or any romanization.
    latin = titled("Test chapter", "en", resource_type=ResourceType.BOOK_SECTION, date_edtf="1990",
                   container_title="Test Container", publication_place="Test city")
    page = client.get(f"/ja/records/{latin.identifier}/").content.decode()
    assert '<dd lang="">Test city</dd>' in page
    assert languages_in_citations(page, "Test Container") == [("span", "")] * 2
    assert languages_in_citations(page, "Test city") == [("span", "")]


def test_only_the_formatted_citation_marks_languages(book):
    assert '<span lang="ja">テスト抑留記</span>' in formatted_citation(book, "apa", "en")
    assert bib_fields(bibtex(book, "en"))["title"] == "{{テスト抑留記}}"
    assert bib_fields(bibtex(book, "en"))["editor"] == "{{Тестов Иван}}"
    [entry] = rispy.loads(ris(book, "en"))
    assert entry["title"] == "テスト抑留記" and entry["secondary_authors"] == ["Тестов Иван"]
    assert csl_json(book, "en")["title"] == "テスト抑留記"
    assert ("citation_title", "テスト抑留記") in highwire_meta(book, "https://example.org/r", "en")
    exported = bibtex(book, "en") + ris(book, "en") + json.dumps(csl_json(book, "en"), ensure_ascii=False)
    assert not re.search("[\ufdd0-\ufdef]|<span", exported)


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_japanese_name_with_family_and_given_is_cited_whole_family_name_first(style, language):
    record = titled("テスト日記", "ja", resource_type=ResourceType.BOOK, date_edtf="1950")
    author = AgentFactory(name="山田 太郎", name__language="ja")
    AgentName.objects.filter(agent=author).update(family="山田", given="太郎")
    link_agent(record, author)
    text = citation_fragment(formatted_citation(record, style, language)).text_content()
    assert text.startswith("山田 太郎"), text
    assert ", ." not in text and " ." not in text
    assert csl_json(record, language)["author"] == [{"literal": "山田 太郎"}]


def test_a_person_split_into_family_and_given_names_in_an_agents_sheet_is_cited_inverted():
    assert write_vocabulary("agents", [(2, {"identifier": "agent-test-person", "name_en": "Anna Testova",
                                            "name_parts": "en:Testova, Anna"})]).ok
    record = titled("Test memoir", resource_type=ResourceType.BOOK, date_edtf="2003")
    link_agent(record, Agent.objects.get(identifier="agent-test-person"))
    assert formatted_citation(record, "apa", "en").startswith("Testova, A. (2003)")
    assert csl_json(record, "en")["author"] == [{"family": "Testova", "given": "Anna"}]


def cited_author(family: str, given: str, language: str = "en") -> Record:
    record = titled("Test memoir", resource_type=ResourceType.BOOK, date_edtf="2003")
    author = AgentFactory(name=f"{given} {family}", name__language=language)
    AgentName.objects.filter(agent=author).update(family=family, given=given)
    link_agent(record, author)
    return record


def test_chicago_gives_given_names_in_full_as_its_style_says_and_apa_initials():
    record = cited_author("Testova", "Anna M")
    assert formatted_citation(record, "chicago-author-date", "en").startswith("Testova, Anna M. 2003.")
    assert formatted_citation(record, "apa", "en").startswith("Testova, A. M. (2003)")


@pytest.mark.parametrize(("given", "language", "apa", "chicago"), [
    ("E. Yu.", "en", "Testov, E. Yu. (2003)", "Testov, E. Yu"),
    ("Yu. A.", "en", "Testov, Yu. A. (2003)", "Testov, Yu. A"),
    ("Zhanna Yu.", "en", "Testov, Z. Yu. (2003)", "Testov, Zhanna Yu"),
    # Initials written without a space between them are cited with one, as Chicago spaces initials.
    ("E.Yu.", "en", "Testov, E. Yu. (2003)", "Testov, E. Yu"),
    ("E. Yu.", "ru-Latn", '<span lang="ru-Latn">Testov, E. Yu</span>. (2003)', "Testov, E. Yu"),
])
def test_an_initial_of_several_letters_is_kept_whole(given, language, apa, chicago):
    record = cited_author("Testov", given, language)
    assert formatted_citation(record, "apa", "en").startswith(apa)
    assert chicago in formatted_citation(record, "chicago-author-date", "en")


@pytest.mark.parametrize(("family", "given", "language", "edited_by"), [
    ("Testova", "Anna M", "en", "Edited by Anna M. Testova."),
    ("Testova", "M.M.", "en", "Edited by M. M. Testova."),
    ("Тестова", "М.М.", "ru", 'Edited by <span lang="ru">М. М</span>. <span lang="ru">Тестова</span>.'),
    ("Тестова", "Анна М", "ru", 'Edited by <span lang="ru">Анна М</span>. <span lang="ru">Тестова</span>.'),
])
def test_chicago_writes_given_names_in_full_with_a_period_after_a_lone_initial(family, given, language,
                                                                               edited_by):
    record = cited_author("Testov", "Test")
    editor = AgentFactory(name=f"{given} {family}", name__language=language)
    AgentName.objects.filter(agent=editor).update(family=family, given=given)
    link_agent(record, editor, role=AgentRole.EDITOR)
    assert formatted_citation(record, "chicago-author-date", "en").endswith(edited_by)


@pytest.mark.parametrize(("language", "names", "expected"), [
    # The serial comma before the last name's "and" is English (CMOS 6.19): Russian puts no comma before «и»,
    # and Japanese none before 「と」.
    ("en", [("Testov", "Ivan"), ("Testova", "Anna"), ("Testov", "Petr")],
     "Testov, Ivan, Anna Testova, and Petr Testov. 2003."),
    ("en", [("Testov", "Ivan"), ("Testova", "Anna")], "Testov, Ivan, and Anna Testova. 2003."),
    ("ru", [("Тестов", "Иван"), ("Тестова", "Анна"), ("Тестов", "Пётр")],
     "Тестов, Иван, Анна Тестова и Пётр Тестов. 2003."),
    ("ru", [("Тестов", "Иван"), ("Тестова", "Анна")], "Тестов, Иван и Анна Тестова. 2003."),
    ("ja", [("Testov", "Ivan"), ("Testova", "Anna")], "Testov, Ivan と Anna Testova. 2003年."),
])
def test_chicago_joins_the_last_author_as_the_citations_language_does(language, names, expected):
    record = titled("Test memoir", resource_type=ResourceType.BOOK, date_edtf="2003")
    for family, given in names:
        link_agent(record, person(family, given, language))
    assert formatted_citation(record, "chicago-author-date", language).startswith(expected)


def test_apa_capitalizes_the_editor_and_translator_labels_in_english():
    edited = titled("Test collected letters", resource_type=ResourceType.BOOK, date_edtf="1990")
    link_agent(edited, person("Editova", "Anna"), role=AgentRole.EDITOR)
    assert formatted_citation(edited, "apa", "en").startswith("Editova, A. (Ed.). (1990).")
    link_agent(edited, person("Editov", "Boris"), role=AgentRole.EDITOR)
    assert formatted_citation(edited, "apa", "en").startswith("Editova, A., &amp; Editov, B. (Eds.). (1990).")
    # Japanese and Russian terms as their locales write them.
    assert "(編)" in formatted_citation(edited, "apa", "ja")
    assert "(ред.)" in formatted_citation(edited, "apa", "ru")
    translated = cited_author("Testov", "Test")
    link_agent(translated, person("Translova", "Vera"), role=AgentRole.TRANSLATOR)
    assert "(V. Translova, Trans.)" in formatted_citation(translated, "apa", "en")


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("resource_type", [ResourceType.BOOK, ResourceType.BOOK_SECTION])
@pytest.mark.parametrize("roles", [
    (AgentRole.EDITOR,), (AgentRole.EDITOR, AgentRole.EDITOR), (AgentRole.TRANSLATOR,),
    (AgentRole.EDITOR, AgentRole.TRANSLATOR),
])
def test_a_name_cited_in_place_of_a_missing_author_is_not_repeated(style, language, resource_type, roles):
    record = titled("Test collected letters", resource_type=resource_type, date_edtf="1990",
                    container_title="Test letters of the war" if resource_type == ResourceType.BOOK_SECTION else "")
    families = ["Editova", "Secondov"][:len(roles)]
    for family, given, role in zip(families, ["Anna", "Boris"], roles, strict=False):
        link_agent(record, person(family, given), role=role)
    text = citation_fragment(formatted_citation(record, style, language)).text_content()
    for family in families:
        assert text.count(family) == 1, text


@pytest.mark.parametrize(("people", "start"), [
    ([("Editova", "Anna", AgentRole.EDITOR)], "Editova, Anna, ed. 1990. <i>Test Collected Letters</i>."),
    ([("Editova", "Anna", AgentRole.EDITOR), ("Redaktorov", "Boris", AgentRole.EDITOR)],
     "Editova, Anna, and Boris Redaktorov, eds. 1990."),
    ([("Translova", "Vera", AgentRole.TRANSLATOR)], "Translova, Vera, trans. 1990."),
    # The editor stands in for the author; the translator keeps his place after the title.
    ([("Editova", "Anna", AgentRole.EDITOR), ("Translov", "Boris", AgentRole.TRANSLATOR)],
     "Editova, Anna, ed. 1990. <i>Test Collected Letters</i>. Translated by Boris Translov."),
])
def test_chicago_cites_an_editor_or_translator_in_place_of_a_missing_author_as_it_cites_an_author(people, start):
    record = titled("Test collected letters", resource_type=ResourceType.BOOK, date_edtf="1990",
                    publication_place="Test city")
    for family, given, role in people:
        link_agent(record, person(family, given), role=role)
    assert formatted_citation(record, "chicago-author-date", "en").startswith(start)


def test_a_translation_tagged_with_a_region_keeps_the_original_title_marked():
    record = titled("テスト抑留記", "ja", kind="memoir", resource_type=ResourceType.BOOK, date_edtf="1952")
    add_title(record, "Test memoir", "en-GB", form=LabelForm.TRANSLATION)
    citation = citation_fragment(formatted_citation(record, "apa", "en"))
    assert [span.text for span in citation.xpath('.//*[@lang="ja"]')] == ["テスト抑留記"]


def test_a_parent_not_cited_by_title_leaves_the_marks_of_the_rest():
    parent = titled("Тестовый сборник", "ru", kind="document")
    record = titled("テスト", "ja", kind="document", resource_type="book-section", container_title="Test container",
                    parent=parent)
    citation = citation_fragment(formatted_citation(record, "apa", "en"))
    assert [span.text for span in citation.xpath('.//*[@lang="ja"]')] == ["テスト"]


def test_noncharacters_in_the_catalogue_are_cited_as_they_are_without_marks(client):
    parent = titled("Тестовый сборник", "ru", kind="document")
    record = titled("テスト \ufdef x \ufdd0", "ja", kind="document", resource_type="book-section",
                    container_title="Test container", parent=parent)
    html = formatted_citation(record, "apa", "en")
    assert html.startswith("テスト") and "<span" not in html
    assert client.get(f"/en/records/{record.identifier}/").status_code == 200


def test_a_given_name_ending_in_an_initial_keeps_every_mark_in_apa():
    record = titled("Тестовые военнопленные", "ru", resource_type=ResourceType.BOOK, date_edtf="2003")
    author = AgentFactory(name="Testova, E. L.", name__language="ru-Latn")
    AgentName.objects.filter(agent=author).update(family="Testova", given="E. L.")
    link_agent(record, author)
    for style in ("apa", "chicago-author-date"):
        citation = citation_fragment(formatted_citation(record, style, "en"))
        assert [span.text for span in citation.xpath('.//*[@lang="ru"]')] == ["Тестовые военнопленные"], style
        assert citation.xpath('.//*[@lang="ru-Latn"]'), style


@pytest.mark.parametrize("language", ["en", "ja", "ru"])
def test_apa_writes_retrieved_only_with_the_date_it_was_retrieved_on(language):
    undated = titled("Test web page", "en", resource_type="web-resource", url="http://example.org/test")
    html = formatted_citation(undated, "apa", language)
    assert "http://example.org/test" in html
    assert not any(word in html for word in ("Retrieved", "回収", "Извлечено")), html
    dated = titled("Test web page 2", "en", resource_type="web-resource", url="http://example.org/test2",
                   accessed=datetime.date(2010, 5, 1))
    assert "Retrieved May 1, 2010, from http://example.org/test2" in formatted_citation(dated, "apa", "en")


def only_translated(text: str):
    """A Russian book known only by an English rendering of its title."""
    from collection.models import Title

    record = titled(text, "en", resource_type=ResourceType.BOOK, date_edtf="2002")
    Title.objects.filter(record=record).update(form=LabelForm.TRANSLATION)
    record.languages.add(Language.objects.get_or_create(tag="ru")[0])
    return record


def test_a_title_known_only_in_translation_is_cited_in_square_brackets():
    record = only_translated("Test prisoners in the Far East")
    for style in ("apa", "chicago-author-date"):
        text = citation_fragment(formatted_citation(record, style, "en")).text_content()
        assert "[Test prisoners in the Far East]" in text or "[Test Prisoners in the Far East]" in text, text
    assert csl_json(record, "en")["title"] == "[Test prisoners in the Far East]"
    assert "TI  - [Test prisoners in the Far East]" in ris(record, "en")


def test_a_romanized_title_is_cited_before_a_translation_when_the_original_is_missing():
    record = only_translated("Test Japanese prisoners in the USSR")
    add_title(record, "Testovye voennoplennye v SSSR", "ru-Latn", form=LabelForm.ROMANIZATION)
    item = csl_json(record, "en")
    assert item["title"] == "Testovye voennoplennye v SSSR"
    assert item["note"] == "Title translated: Test Japanese prisoners in the USSR"  # the translation, named as such
    assert "title-short" not in item  # a short form of the title, which later notes would cite
    # The romanization is the title; the translation follows it in brackets, as an English citation gives one.
    html = formatted_citation(record, "apa", "en")
    assert html.startswith('<i><span lang="ru-Latn">Testovye voennoplennye v SSSR</span></i> '
                           "[Test Japanese prisoners in the USSR]. (2002)."), html


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
@pytest.mark.parametrize("language", ["en", "ja", "ru"])
@pytest.mark.parametrize(("title", "title_language", "resource_type", "container_title"), [
    ("Test letters, diaries etc.", "en", ResourceType.BOOK, ""),  # in italics
    ("Test camp report, Vol.", "en", ResourceType.JOURNAL_ARTICLE, "Test Bulletin of the Society etc."),  # quoted
    ("Тестовые письма и т. д.", "ru", ResourceType.BOOK, ""),  # in italics and a language mark
])
def test_a_title_ending_in_a_period_is_not_followed_by_another(style, language, title, title_language,
                                                                resource_type, container_title):
    record = titled(title, title_language, resource_type=resource_type, date_edtf="1990",
                    container_title=container_title)
    text = citation_fragment(formatted_citation(record, style, language)).text_content()
    assert ".." not in text, text
    assert title[-5:].lower() in text.lower(), text  # the title keeps its own period


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
@pytest.mark.parametrize("language", ["en", "ja", "ru"])
@pytest.mark.parametrize(("title", "title_language", "resource_type", "container_title"), [
    ("What now?", "en", ResourceType.BOOK, ""),  # in italics
    ("Test camp, remember!", "en", ResourceType.JOURNAL_ARTICLE, ""),  # as it is in APA, quoted in Chicago
    ("Test article", "en", ResourceType.JOURNAL_ARTICLE, "Test bulletin: who remembers?"),  # the journal
    ("Тестовый вопрос: что делать?", "ru", ResourceType.BOOK, ""),  # in italics and a language mark
    ("Тестовый вопрос: кто виноват?", "ru", ResourceType.JOURNAL_ARTICLE, ""),  # in a language mark
])
def test_a_title_ending_in_a_question_or_exclamation_mark_takes_no_period_after_it(
        style, language, title, title_language, resource_type, container_title):
    record = titled(title, title_language, resource_type=resource_type, date_edtf="1990",
                    container_title=container_title)
    text = citation_fragment(formatted_citation(record, style, language)).text_content()
    assert not re.search("[?!]\u201d?[.]", text), text  # Russian quotes may take one: «Что делать?».
    assert (container_title or title)[-5:].lower() in text.lower(), text


def test_american_english_puts_the_period_inside_the_closing_quote():
    article = titled("Test headline", "en", resource_type="newspaper-article", container_title="Test Times",
                     date_edtf="1998-03-07", url="http://example.org/test")
    english = citation_fragment(formatted_citation(article, "chicago-author-date", "en")).text_content()
    assert "“Test Headline.”" in english and "”." not in english, english
    russian = citation_fragment(formatted_citation(article, "chicago-author-date", "ru")).text_content()
    assert ".”" not in russian, russian


@pytest.mark.parametrize(("title", "title_language", "quoted"), [
    ("Test news of repatriation", "en", "“<span lang=\"en\">Test News of Repatriation</span>”"),
    ("Тестовая статья о плене", "ru", "“<span lang=\"ru\">Тестовая статья о плене</span>”"),
    ("Tesuto no kiji", "ja-Latn", "“<span lang=\"ja-Latn\">Tesuto no kiji</span>”"),
    ("テストの記事", "ja", "「テストの記事」"),
])
def test_a_japanese_citation_quotes_only_japanese_titles_in_kagikakko(title, title_language, quoted):
    article = titled(title, title_language, resource_type=ResourceType.NEWSPAPER_ARTICLE, date_edtf="1998-04-12",
                     container_title="Test Times")
    citation = formatted_citation(article, "chicago-author-date", "ja")
    assert quoted in citation, citation
    assert ("「" in citation) == (title_language == "ja"), citation


def japanese_letters() -> Record:
    record = titled("抑留者の手紙", "ja", kind="memoir", resource_type=ResourceType.BOOK, date_edtf="1952", edition="2")
    link_agent(record, AgentFactory(name="山田 太郎", name__language="ja"))
    return record


@pytest.mark.parametrize(("style", "expected"), [
    ("chicago-author-date", "山田 太郎. 1952年. 『抑留者の手紙』. 第2版."),
    ("apa", "山田 太郎. (1952年). 『抑留者の手紙』(第2版)."),
])
def test_a_japanese_citation_sets_a_japanese_books_title_in_double_brackets_not_italics(style, expected):
    assert formatted_citation(japanese_letters(), style, "ja") == expected


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_a_japanese_books_title_stays_italic_in_english_and_russian_citations(style):
    record = japanese_letters()
    for language in ("en", "ru"):
        citation = formatted_citation(record, style, language)
        assert '<i><span lang="ja">抑留者の手紙</span></i>' in citation and "『" not in citation, citation


@pytest.mark.parametrize(("style", "expected"), [
    # The volume and issue follow the journal's title as Japanese writes them and the record's page words them
    # (第2巻第7号), not as the styles' "2 (7)", which Japanese reads as a count and a note.
    ("chicago-author-date", '鈴木 一郎. 1998年. 「抑留と帰還」. 『歴史評論』第2巻第7号: 131–148.'),
    ("apa", '鈴木 一郎. (1998年). 「抑留と帰還」. 『歴史評論』第2巻第7号, 131–148.'),
])
def test_a_japanese_citation_quotes_an_articles_title_and_brackets_its_journal(style, expected):
    article = titled("抑留と帰還", "ja", resource_type=ResourceType.JOURNAL_ARTICLE, date_edtf="1998",
                     container_title="歴史評論", volume="2", issue="7", pages="131-148")
    link_agent(article, AgentFactory(name="鈴木 一郎", name__language="ja"))
    assert formatted_citation(article, style, "ja") == expected


@pytest.mark.parametrize(("style", "expected"), [
    ("chicago-author-date", "佐藤 花子. 2005年. 『抑留の記録』（シベリア抑留叢書 第1巻）."),
    ("apa", "佐藤 花子. (2005年). 『抑留の記録』(第1巻)."),
])
def test_a_japanese_citation_numbers_a_volume_as_the_first_not_as_one_volume(style, expected):
    series = titled("シベリア抑留叢書", "ja", resource_type=ResourceType.BOOK, level=LevelOfDescription.SERIES)
    volume = titled("抑留の記録", "ja", resource_type=ResourceType.BOOK, date_edtf="2005", parent=series, sequence=1,
                    level=LevelOfDescription.VOLUME)
    link_agent(volume, AgentFactory(name="佐藤 花子", name__language="ja"))
    assert formatted_citation(volume, style, "ja") == expected
    # A volume that is not a number is not counted: 上巻 is written as catalogued.
    upper = titled("抑留全史", "ja", resource_type=ResourceType.BOOK, date_edtf="1990", volume="上巻")
    assert "第" not in formatted_citation(upper, style, "ja")


@pytest.fixture
def japanese_series():
    return titled("シベリア抑留叢書", "ja", resource_type=ResourceType.BOOK, level=LevelOfDescription.SERIES)


@pytest.mark.parametrize(("resource_type", "style", "expected"), [
    # Japanese names a series after the title, in parentheses with its number as the record's page words it.
    (ResourceType.BOOK, "chicago-author-date", "『抑留の報告』（シベリア抑留叢書 第7号）. 2005年."),
    (ResourceType.REPORT, "chicago-author-date", "『抑留の報告』（シベリア抑留叢書 第7号）. 2005年."),
    (ResourceType.ARCHIVAL_DOCUMENT, "chicago-author-date",
     "「抑留の報告」（シベリア抑留叢書 第7号）. 2005年. 未刊行原稿."),
    # APA names the series of a report only, in its own parentheses.
    (ResourceType.REPORT, "apa", "『抑留の報告』(シベリア抑留叢書 第7号). (2005年)."),
    (ResourceType.BOOK, "apa", "『抑留の報告』. (2005年)."),
])
def test_a_japanese_citation_gives_the_number_of_a_part_in_its_series_as_the_page_does(
        client, japanese_series, resource_type, style, expected):
    part = titled("抑留の報告", "ja", resource_type=resource_type, date_edtf="2005", parent=japanese_series,
                  sequence=7)
    assert "シベリア抑留叢書</a>、第7号" in client.get(f"/ja/records/{part.identifier}/").content.decode()
    assert formatted_citation(part, style, "ja") == expected


def test_a_series_after_the_title_leaves_other_languages_as_their_styles_write_them(japanese_series):
    volume = titled("抑留の記録", "ja", resource_type=ResourceType.BOOK, date_edtf="2005", parent=japanese_series,
                    sequence=1, level=LevelOfDescription.VOLUME)
    english = re.sub(r"</?span[^>]*>", "", formatted_citation(volume, "chicago-author-date", "en"))
    assert english == "<i>抑留の記録</i>. 2005. Vol. 1. シベリア抑留叢書.", english
    russian = re.sub(r"</?span[^>]*>", "", formatted_citation(volume, "chicago-author-date", "ru"))
    assert russian == "<i>抑留の記録</i>. 2005. Т. 1. シベリア抑留叢書.", russian
    # The series in another script keeps the style's order in a Japanese citation too, as its title keeps italics.
    russian_series = titled("Тестовая серия", "ru", resource_type=ResourceType.BOOK,
                            level=LevelOfDescription.SERIES)
    in_russian_series = titled("抑留の記録", "ja", resource_type=ResourceType.BOOK, date_edtf="2005",
                               parent=russian_series, sequence=1, level=LevelOfDescription.VOLUME)
    assert formatted_citation(in_russian_series, "chicago-author-date", "ja") == (
        '『抑留の記録』. 2005年. 第1巻. <span lang="ru">Тестовая серия</span>.')


def test_a_japanese_title_in_cyrillic_keeps_its_italics_before_a_japanese_series(japanese_series):
    volume = titled("Тестовый том", "ru", resource_type=ResourceType.BOOK, date_edtf="2005", parent=japanese_series,
                    sequence=2, level=LevelOfDescription.VOLUME)
    assert formatted_citation(volume, "chicago-author-date", "ja") == (
        '<i><span lang="ru">Тестовый том</span></i>（シベリア抑留叢書 第2巻）. 2005年.')


def test_a_japanese_citation_writes_pages_as_the_records_page_does(client):
    chapter = titled("抑留の章", "ja", resource_type=ResourceType.BOOK_SECTION, date_edtf="1998",
                     container_title="抑留の本", pages="131-148")
    assert "131-148頁" in client.get(f"/ja/records/{chapter.identifier}/").content.decode()
    citation = formatted_citation(chapter, "apa", "ja")
    assert "(131–148頁)" in citation and "ページ" not in citation, citation
    assert "(pp. 131–148)" in formatted_citation(chapter, "apa", "en")


@pytest.mark.parametrize(("style", "undated"), [("apa", "Иванов Иван. (б.\u00a0г.). "),
                                                ("chicago-author-date", "Иванов Иван. б.\u00a0г. ")])
def test_a_russian_citation_of_an_undated_work_says_without_a_year(style, undated):
    record = titled("Тестовые воспоминания", "ru", resource_type=ResourceType.BOOK)
    link_agent(record, AgentFactory(name="Иванов Иван", name__language="ru"))
    citation = formatted_citation(record, style, "ru")
    # Never parted at the end of a line: "б." alone would read as another abbreviation.
    assert citation.startswith(undated) and "б. д." not in citation, citation
    assert "n.d." in formatted_citation(record, style, "en")


def russian_magazine_note(author: bool = False) -> Record:
    record = titled("Тестовая заметка", "ru", resource_type=ResourceType.MAGAZINE_ARTICLE, date_edtf="1946-03",
                    container_title="Тестовый журнал")
    if author:
        link_agent(record, AgentFactory(name="Иванов Иван", name__language="ru"))
    return record


def test_a_month_starting_a_part_of_a_russian_chicago_citation_takes_a_capital():
    assert formatted_citation(russian_magazine_note(), "chicago-author-date", "ru") == (
        '<i>Тестовый журнал</i>. 1946. «Тестовая заметка». Март.')
    # After a comma, and in APA's parentheses, a month is written in lower case, as Russian writes it.
    assert formatted_citation(russian_magazine_note(author=True), "chicago-author-date", "ru").endswith(
        '<i>Тестовый журнал</i>, март.')
    assert "(1946, март)" in formatted_citation(russian_magazine_note(), "apa", "ru")


def test_a_month_in_a_russian_title_is_left_as_catalogued():
    record = titled("Весна. март и апрель", "ru", resource_type=ResourceType.WEB_RESOURCE, date_edtf="1946-03")
    assert formatted_citation(record, "chicago-author-date", "ru") == "«Весна. март и апрель». 1946. Март."


def test_a_japanese_citation_keeps_italics_for_a_title_in_cyrillic():
    book = titled("Японские военнопленные в СССР", "ru", resource_type=ResourceType.BOOK, date_edtf="2000")
    for style in ("apa", "chicago-author-date"):
        citation = formatted_citation(book, style, "ja")
        assert '<i><span lang="ru">Японские военнопленные в СССР</span></i>' in citation, citation


def test_a_russian_citation_abbreviates_pages_as_gost_does():
    chapter = titled("Глава о плене", "ru", resource_type="book-section", date_edtf="2001",
                     container_title="Сборник статей", pages="12-34", volume="3")
    citation = formatted_citation(chapter, "apa", "ru")
    assert "(Т. 3, с. 12–34)" in citation, citation
    # English is as APA writes it.
    assert "(Vol. 3, pp. 12–34)" in formatted_citation(chapter, "apa", "en")


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_a_russian_citation_gives_an_archival_reference_in_cyrillic_as_the_page_does(style):
    document = titled("Тестовое донесение", "ru", resource_type="archival-document", date_edtf="1947",
                      reference_fond="9401", reference_opis="2", reference_delo="3", reference_folios="4-5")
    russian = formatted_citation(document, style, "ru")
    assert re.search("[Фф]. 9401, оп. 2, д. 3, л. 4-5", russian) and "op." not in russian, russian
    assert re.search("[Ff]. 9401, op. 2, d. 3, l. 4-5", formatted_citation(document, style, "en"))
    assert csl_json(document)["archive_location"] == "f. 9401, op. 2, d. 3, l. 4-5"


def test_only_an_english_chicago_citation_shortens_a_page_range():
    article = titled("Test article", resource_type=ResourceType.JOURNAL_ARTICLE, date_edtf="1998",
                     container_title="Test Bulletin", volume="2", issue="7", pages="131-148")
    assert formatted_citation(article, "chicago-author-date", "en").endswith("2 (7): 131–48.")
    # The volume and issue are worded in Japanese and Russian (第2巻第7号, т. 2, № 7): the pages alone are asked of.
    for language in ("ja", "ru"):
        assert formatted_citation(article, "chicago-author-date", language).endswith(": 131–148.")


@pytest.mark.parametrize(("language", "issue"), [("ru", "№ 5"), ("ja", "第5号"), ("en", "no. 5")])
def test_the_issue_of_a_journal_is_numbered_as_the_records_page_numbers_it(language, issue):
    article = titled("Лагеря для военнопленных", "ru", resource_type=ResourceType.JOURNAL_ARTICLE, date_edtf="1999",
                     container_title="Вопросы истории", issue="5", pages="12-34")
    citation = formatted_citation(article, "chicago-author-date", language)
    assert f", {issue}: 12–34." in citation, citation


# --- an English citation of a title in another script: romanized, with its translation in brackets --------------


def romanized_russian(resource_type: str = ResourceType.BOOK, **fields) -> Record:
    """A Russian work with the app's transliteration of its title and an English translation of it."""
    record = titled("Тестовые военнопленные в Приморье", "ru", resource_type=resource_type, date_edtf="2005",
                    **fields)
    add_title(record, "Testovye voennoplennye v Primorʹe", "ru-Latn", form=LabelForm.ROMANIZATION,
              machine_made=True, derived_from=record.titles.get())
    add_title(record, "Test prisoners of war in Primorye", "en", form=LabelForm.TRANSLATION)
    return record


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_an_english_citation_romanizes_a_russian_title_and_brackets_its_translation_outside_the_italics(style):
    record = romanized_russian()
    english = formatted_citation(record, style, "en")
    assert english.startswith('<i><span lang="ru-Latn">Testovye voennoplennye v Primorʹe</span></i> '
                              "[Test prisoners of war in Primorye]. "), english
    assert "Тестовые" not in english
    # Japanese and Russian citations cite the original, with no translation after it.
    for language in ("ja", "ru"):
        citation = formatted_citation(record, style, language)
        assert "Тестовые военнопленные в Приморье" in citation and "Testovye" not in citation, citation
        assert "[" not in citation and "Test prisoners" not in citation, citation


@pytest.mark.parametrize(("style", "start"), [
    # APA sets an article's title in neither italics nor quotes; Chicago quotes it, and the translation follows
    # the closing quote, the period after the bracket.
    ("apa", '<span lang="ru-Latn">Testovye voennoplennye v Primorʹe</span> [Test prisoners of war in Primorye]. '
            "(2005). <i>"),
    ("chicago-author-date", "\u201c<span lang=\"ru-Latn\">Testovye voennoplennye v Primorʹe</span>\u201d "
                            "[Test prisoners of war in Primorye]. 2005. <i>"),
])
def test_the_translation_of_an_articles_title_follows_its_quotes(style, start):
    record = romanized_russian(ResourceType.JOURNAL_ARTICLE, container_title="Test Bulletin", volume="3")
    citation = formatted_citation(record, style, "en")
    assert citation.startswith(start), citation


def japanese_with_machine_reading() -> Record:
    record = titled("テスト抑留記", "ja", resource_type=ResourceType.BOOK, date_edtf="1952")
    original = record.titles.get()
    add_title(record, "テストヨクリュウキ", "ja-Hrkt", form=LabelForm.READING, machine_made=True, derived_from=original)
    add_title(record, "Tesuto yokuryūki", "ja-Latn", form=LabelForm.ROMANIZATION, machine_made=True,
              derived_from=original)
    add_title(record, "Test memoir of internment", "en", form=LabelForm.TRANSLATION)
    return record


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_a_romanization_made_from_a_guessed_reading_is_not_cited(style):
    record = japanese_with_machine_reading()
    citation = formatted_citation(record, style, "en")
    assert citation.startswith('<i><span lang="ja">テスト抑留記</span></i> [Test memoir of internment]. '), citation
    assert "Tesuto" not in citation
    assert csl_json(record, "en")["title"] == "テスト抑留記"
    # Once an archivist has checked the reading, the romanization made from it is cited.
    reading = record.titles.get(form=LabelForm.READING)
    reading.machine_made = False
    reading.save()
    citation = formatted_citation(record, style, "en")
    assert citation.startswith('<i><span lang="ja-Latn">Tesuto yokuryūki</span></i> '
                               "[Test memoir of internment]. "), citation
    assert "テスト抑留記" not in citation


def test_a_romanization_entered_by_an_archivist_is_cited_whatever_the_reading():
    record = titled("テスト抑留記", "ja", resource_type=ResourceType.BOOK, date_edtf="1952")
    add_title(record, "テストヨクリュウキ", "ja-Hrkt", form=LabelForm.READING, machine_made=True,
              derived_from=record.titles.get())
    add_title(record, "Tesuto yokuryūki", "ja-Latn", form=LabelForm.ROMANIZATION)
    assert formatted_citation(record, "apa", "en").startswith('<i><span lang="ja-Latn">Tesuto yokuryūki</span></i>. ')
    assert formatted_citation(record, "apa", "ja").startswith("『テスト抑留記』. ")


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_the_book_a_chapter_is_in_is_romanized_in_an_english_citation_without_a_translation(style):
    book = romanized_russian()
    chapter = titled("Test chapter on the camps", "en", resource_type=ResourceType.BOOK_SECTION, parent=book)
    citation = formatted_citation(chapter, style, "en")
    assert '<span lang="ru-Latn">Testovye voennoplennye v Primorʹe</span>' in citation, citation
    assert "Тестовые" not in citation and "[" not in citation, citation
    assert csl_json(chapter, "en")["container-title"] == "Testovye voennoplennye v Primorʹe"
    assert "Тестовые военнопленные в Приморье" in formatted_citation(chapter, style, "ru")


def test_the_english_downloads_carry_the_romanized_title_and_its_translation():
    record = romanized_russian()
    fields = bib_fields(bibtex(record, "en"))
    assert fields["title"] == "{{Testovye voennoplennye v Primorʹe}}"
    assert fields["titleaddon"] == "{{[Test prisoners of war in Primorye]}}"
    [entry] = rispy.loads(ris(record, "en"))
    assert entry["title"] == "Testovye voennoplennye v Primorʹe"
    assert entry["translated_title"] == "Test prisoners of war in Primorye"  # TT
    item = csl_json(record, "en")
    assert item["title"] == "Testovye voennoplennye v Primorʹe"
    assert "title-short" not in item
    assert item["note"] == "Title translated: Test prisoners of war in Primorye"
    assert "original-title" not in item  # APA would print it as "Original work published as …"
    assert ("citation_title", "Testovye voennoplennye v Primorʹe") in highwire_meta(record, "https://example.org/r",
                                                                                   "en")
    # The Japanese and Russian downloads keep the original title, and no translated title beside it.
    for language in ("ja", "ru"):
        fields = bib_fields(bibtex(record, language))
        assert fields["title"] == "{{Тестовые военнопленные в Приморье}}" and "titleaddon" not in fields
        [entry] = rispy.loads(ris(record, language))
        assert entry["title"] == "Тестовые военнопленные в Приморье" and "translated_title" not in entry
        assert csl_json(record, language)["title"] == "Тестовые военнопленные в Приморье"


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
@pytest.mark.parametrize(("identifier", "title"), [
    ("doc-primorye", "<i>I͡aponskie voennoplennye v Primorʹe (1945-1949 gg.)</i> "
                     "[Japanese POW in Primorye (1945-1949)]"),
    ("doc-primorye-1", "<i>I͡aponskie voennoplennye v Primorʹe (1945-1949 gg.) Vyp.1 Trud voennoplennykh v "
                       "ugolʹnoĭ promyshlennosti</i> [POW Labor in Coal Industry]"),
    ("doc-pow-in-the-ussr-1939-1956", "<i>Voennoplennye v SSSR. 1939-1956: Dokumenty i materialy</i> "
                                      "[POW in the USSR 1939-1956:Documents and Materials]"),
])
def test_the_seeded_russian_books_read_romanized_in_english(seeded, style, identifier, title):
    record = Record.objects.get(identifier=identifier)
    citation = formatted_citation(record, style, "en")
    plain = re.sub(r"</?span[^>]*>", "", citation)
    assert title in plain, citation
    if identifier == "doc-primorye-1":  # the series and the issue's number in it, romanized too, in Chicago
        assert ("2005. I͡aponskie voennoplennye v Primorʹe (1945-1949 gg.) 1. " in plain) == (
            style == "chicago-author-date"), citation
    assert "Японские" not in plain


@pytest.mark.parametrize(("style", "start"), [
    ("apa", "USSR State Defense Committee. (1945, August 23). <i>O prieme, razmeshchenii, trudovom "
            "ispolʹzovanii voennoplennykh i͡aponskoĭ armii</i> [About Receiving, Accommodation, and Labor "
            "Utilization of the Japanese Army Prisoners of War]."),
    ("chicago-author-date", "USSR State Defense Committee. 1945. “O prieme, razmeshchenii, trudovom "
                            "ispolʹzovanii voennoplennykh i͡aponskoĭ armii” [About Receiving, Accommodation, and "
                            "Labor Utilization of the Japanese Army Prisoners of War]. August 23."),
])
def test_the_seeded_state_defense_committee_decree_reads_romanized_in_english(seeded, style, start):
    citation = formatted_citation(Record.objects.get(identifier="doc-gko-9898"), style, "en")
    assert re.sub(r"</?span[^>]*>", "", citation) == start, citation


@pytest.mark.parametrize(("style", "editor", "publishers"), [
    ("apa", "(M. M. Zagorulʹko, Ed.)", "Logos Publishers"),
    ("chicago-author-date", "Edited by M. M. Zagorulʹko.", "Logos Publishers"),
])
def test_the_seeded_russian_names_read_romanized_in_english(seeded, style, editor, publishers):
    record = Record.objects.get(identifier="doc-pow-in-the-ussr-1939-1956")
    plain = re.sub(r"</?span[^>]*>", "", formatted_citation(record, style, "en"))
    assert plain.startswith("Nauch.-issled. in-t problem ėkon. istorii XX veka. "), plain
    assert editor in plain and publishers in plain, plain
    assert not re.search("[А-я]", plain), plain
    russian = re.sub(r"</?span[^>]*>", "", formatted_citation(record, style, "ru"))
    assert "Загорулько" in russian and "Zagorul" not in russian, russian


def test_a_japanese_name_read_by_guess_is_cited_in_kanji_in_english():
    record = japanese_with_machine_reading()
    author = AgentFactory(name="目黒テスト", name__language="ja")
    original = author.names.get()
    AgentName.objects.create(agent=author, language="ja-Latn", text="Meguro Tesuto", form=LabelForm.ROMANIZATION,
                             machine_made=True, derived_from=original)
    AgentName.objects.create(agent=author, language="ja-Hrkt", text="メグロテスト", form=LabelForm.READING,
                             machine_made=True, derived_from=original)
    link_agent(record, author)
    assert "目黒テスト" in formatted_citation(record, "apa", "en")
    reading = author.names.get(form=LabelForm.READING)
    reading.machine_made = False
    reading.save()
    citation = formatted_citation(record, "apa", "en")
    assert "Meguro Tesuto" in citation and "目黒テスト" not in citation, citation


# --- pages, volumes, issues and a broadcast's month in Japanese and Russian citations ---------------------------


@pytest.fixture
def numbered_works():
    """A chapter, a broadcast, a journal article and a book in one volume of several, each with the numbers or the
    month a Japanese or a Russian citation words in its own form."""
    works = {
        "chapter": titled("抑留の章", "ja", resource_type=ResourceType.BOOK_SECTION, date_edtf="1998",
                          container_title="抑留の本", pages="45-67", volume="3"),
        "broadcast": titled("Тестовая передача", "ru", resource_type=ResourceType.NEWS_ITEM, date_edtf="1946-03",
                            container_title="Радио"),
        "article": titled("Лагеря для военнопленных", "ru", resource_type=ResourceType.JOURNAL_ARTICLE,
                          date_edtf="1999", container_title="Вопросы истории", volume="2", issue="7",
                          pages="12-34"),
        "volume": titled("抑留全史", "ja", resource_type=ResourceType.BOOK, date_edtf="1990", volume="3"),
    }
    link_agent(works["article"], person("Testova", "Anna"))
    link_agent(works["volume"], AgentFactory(name="佐藤 花子", name__language="ja"))
    series = titled("Test series", "en", resource_type=ResourceType.BOOK, level=LevelOfDescription.SERIES)
    works["in_series"] = titled("test volume of the series", "en", resource_type=ResourceType.BOOK,
                                date_edtf="2005", parent=series, sequence=2, level=LevelOfDescription.VOLUME)
    return works


@pytest.mark.parametrize(("work", "style", "expected"), [
    # Chicago (18th edition) gives no pages for a chapter; APA does.
    ("chapter", "chicago-author-date",
     '“<span lang="ja">抑留の章</span>.” 1998. In <i><span lang="ja">抑留の本</span></i>, vol. 3.'),
    ("chapter", "apa",
     '<span lang="ja">抑留の章</span>. (1998). In <i><span lang="ja">抑留の本</span></i> (Vol. 3, pp. 45–67).'),
    ("broadcast", "chicago-author-date",
     '<i><span lang="ru-Latn">Radio</span></i>. 1946. “<span lang="ru">Тестовая передача</span>.” Aired March.'),
    ("broadcast", "apa",
     '<span lang="ru">Тестовая передача</span>. (1946, March). [Broadcast]. '
     'In <i><span lang="ru-Latn">Radio</span></i>.'),
    ("article", "chicago-author-date", 'Testova, Anna. 1999. “<span lang="ru">Лагеря для военнопленных</span>.” '
                                       '<i><span lang="ru-Latn">Voprosy istorii</span></i> 2 (7): 12–34.'),
    ("article", "apa", 'Testova, A. (1999). <span lang="ru">Лагеря для военнопленных</span>. '
                       '<i><span lang="ru-Latn">Voprosy istorii</span></i>, <i>2</i>(7), 12–34.'),
    ("volume", "chicago-author-date",
     '<span lang="ja">佐藤 花子</span>. 1990. <i><span lang="ja">抑留全史</span></i>. Vol. 3.'),
    ("volume", "apa", '<span lang="ja">佐藤 花子</span>. (1990). <i><span lang="ja">抑留全史</span></i> (Vol. 3).'),
    ("in_series", "chicago-author-date", "<i>Test Volume of the Series</i>. 2005. Vol. 2. Test Series."),
    ("in_series", "apa", "<i>test volume of the series</i> (Vol. 2). (2005)."),
])
def test_english_citations_keep_their_styles_forms(numbered_works, work, style, expected):
    assert formatted_citation(numbered_works[work], style, "en") == expected


@pytest.mark.parametrize(("language", "style", "expected"), [
    # As the record's page (45-67頁) and APA (45–67頁) give them: Chicago's 18th edition leaves a chapter's pages out
    # of an English citation, which Japanese and Russian bibliographies never do.
    ("ja", "chicago-author-date", '「抑留の章」. 1998年. 『抑留の本』第3巻, 45–67頁.'),
    ("ru", "chicago-author-date",
     '«<span lang="ja">抑留の章</span>». 1998. В <i><span lang="ja">抑留の本</span></i>, т. 3, с. 45–67.'),
    ("ja", "apa", '「抑留の章」. (1998年). 『抑留の本』(第3巻, 45–67頁).'),
])
def test_a_chapter_is_cited_with_its_pages_in_japanese_and_russian(client, numbered_works, language, style,
                                                                  expected):
    chapter = numbered_works["chapter"]
    assert "45-67頁" in client.get(f"/ja/records/{chapter.identifier}/").content.decode()
    assert formatted_citation(chapter, style, language) == expected


def test_a_russian_broadcast_of_a_month_says_when_it_aired(numbered_works):
    assert formatted_citation(numbered_works["broadcast"], "chicago-author-date", "ru") == (
        '<i>Радио</i>. 1946. «Тестовая передача». Эфир: март.')
    # A day reads on from the word as it is: «эфир 4 марта» is said so.
    aired_on_a_day = titled("Тестовая передача", "ru", resource_type=ResourceType.NEWS_ITEM, date_edtf="1946-03-04")
    assert formatted_citation(aired_on_a_day, "chicago-author-date", "ru").endswith(". Эфир 4 марта.")


@pytest.mark.parametrize(("language", "style", "expected"), [
    ("ru", "chicago-author-date", '<i>Вопросы истории</i>, т. 2, № 7: 12–34.'),
    ("ru", "apa", '<i>Вопросы истории</i>, т. 2, № 7, 12–34.'),
    ("ja", "chicago-author-date", '<i><span lang="ru">Вопросы истории</span></i> 第2巻第7号: 12–34.'),
    ("ja", "apa", '<i><span lang="ru">Вопросы истории</span></i>, 第2巻第7号, 12–34.'),
])
def test_a_journals_volume_and_issue_are_worded_as_the_records_page_words_them(numbered_works, language, style,
                                                                                 expected):
    article = numbered_works["article"]
    assert formatted_citation(article, style, language).endswith(expected)
    # A volume alone is worded too.
    volume_only = titled("Лагеря", "ru", resource_type=ResourceType.JOURNAL_ARTICLE, date_edtf="1999",
                         container_title="Вопросы истории", volume="2", pages="12-34")
    assert ("т. 2" if language == "ru" else "第2巻") in formatted_citation(volume_only, style, language)


@pytest.mark.parametrize(("work", "expected"), [
    ("volume", "佐藤 花子. 1990年. 『抑留全史』第3巻."),
    # A volume that is not a number, as catalogued.
    ("upper", "『抑留全史』上巻. 1990年."),
])
def test_a_japanese_chicago_citation_gives_a_books_volume_with_its_title(numbered_works, work, expected):
    numbered_works["upper"] = titled("抑留全史", "ja", resource_type=ResourceType.BOOK, date_edtf="1990", volume="上巻")
    assert formatted_citation(numbered_works[work], "chicago-author-date", "ja") == expected
    # Russian writes the volume after the title already (Т. 3.), as Chicago does.
    assert formatted_citation(numbered_works["volume"], "chicago-author-date", "ru").endswith("</i>. Т. 3.")


@pytest.fixture
def volumes_not_numbered():
    """A book and a chapter whose volume is not a number (上巻, the first of two), and a Russian book whose volume is
    catalogued with its word (Кн. 2)."""
    book = titled("抑留全史", "ja", resource_type=ResourceType.BOOK, date_edtf="1990", volume="上巻")
    link_agent(book, AgentFactory(name="佐藤 花子", name__language="ja"))
    chapter = titled("抑留の章", "ja", resource_type=ResourceType.BOOK_SECTION, date_edtf="1990",
                     container_title="抑留の本", volume="上巻", pages="4-5")
    russian = titled("История плена", "ru", resource_type=ResourceType.BOOK, date_edtf="1990", volume="Кн. 2")
    link_agent(russian, AgentFactory(name="Иванов Иван", name__language="ru"))
    return {"book": book, "chapter": chapter, "russian": russian}


@pytest.mark.parametrize(("work", "language", "chicago", "apa"), [
    # Japanese joins the volume to the title it is a volume of, in 『』 and with no comma, in both styles.
    ("book", "ja", "佐藤 花子. 1990年. 『抑留全史』上巻.", "佐藤 花子. (1990年). 『抑留全史』上巻."),
    ("chapter", "ja", "「抑留の章」. 1990年. 『抑留の本』上巻, 4–5頁.",
     "「抑留の章」. (1990年). 『抑留の本』上巻 (4–5頁)."),
    # Russian gives it after the title, outside its italics, as ГОСТ does (История плена. Кн. 2).
    ("russian", "ru", "Иванов Иван. 1990. <i>История плена</i>. Кн. 2.",
     "Иванов Иван. (1990). <i>История плена</i>. Кн. 2."),
    ("book", "ru", '<span lang="ja">佐藤 花子</span>. 1990. <i><span lang="ja">抑留全史</span></i>. 上巻.',
     '<span lang="ja">佐藤 花子</span>. (1990). <i><span lang="ja">抑留全史</span></i>. 上巻.'),
    ("chapter", "ru",
     '«<span lang="ja">抑留の章</span>». 1990. В <i><span lang="ja">抑留の本</span></i>, 上巻, с. 4–5.',
     '<span lang="ja">抑留の章</span>. (1990). В <i><span lang="ja">抑留の本</span></i>, 上巻 (с. 4–5).'),
])
def test_a_volume_that_is_not_a_number_follows_its_title_as_japanese_and_russian_write_it(
        volumes_not_numbered, work, language, chicago, apa):
    record = volumes_not_numbered[work]
    assert formatted_citation(record, "chicago-author-date", language) == chicago
    assert formatted_citation(record, "apa", language) == apa
    # English keeps APA's own form, the volume's title after the book's, in its italics.
    if work == "book":
        assert formatted_citation(record, "apa", "en").endswith('<i><span lang="ja">抑留全史</span>: 上巻</i>.')
