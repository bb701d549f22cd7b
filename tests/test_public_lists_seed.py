"""The seeded collection as a researcher reads it: lists on public pages are written as each language writes them."""

import re

import pytest
from lxml import html

pytestmark = pytest.mark.django_db


def _result_agents(client, language: str, identifier: str) -> str:
    page = html.fromstring(client.get(f"/{language}/records/?q=Gulag").content)
    (item,) = [li for li in page.xpath("//li[@class='record']") if li.xpath(f".//a[contains(@href, '/{identifier}/')]")]
    return item.xpath(".//span[@class='agents']")[0].text_content()


def test_the_names_of_a_result_are_separated_as_the_page_language_writes_a_list(seeded, client):
    # Gulag: A History names its author and its publisher.
    assert _result_agents(client, "en", "doc-applebaum-gulag-2003") == "Anne Applebaum; Doubleday (publisher)"
    assert _result_agents(client, "ru", "doc-applebaum-gulag-2003") == "Anne Applebaum; Doubleday (издатель)"
    assert _result_agents(client, "ja", "doc-applebaum-gulag-2003") == "Anne Applebaum、Doubleday（出版者）"


def _part_of(client, language: str, identifier: str) -> str:
    body = client.get(f"/{language}/records/{identifier}/").content.decode()
    (dd,) = re.findall(r'<dt>[^<]*</dt><dd><a href="/\w\w/records/doc-primorye/"[^>]*>.*?</dd>', body, re.S)
    return re.sub(r"<[^>]+>", "", dd)


def test_a_record_page_names_the_series_and_its_number_as_the_page_language_writes_them(seeded, client):
    # The first issue of Японские военнопленные в Приморье.
    assert _part_of(client, "en", "doc-primorye-1").endswith("Japanese POW in Primorye (1945-1949), no. 1")
    assert _part_of(client, "ru", "doc-primorye-1").endswith(" гг.), № 1")
    assert _part_of(client, "ja", "doc-primorye-1").endswith(" гг.)、第1号")


def test_the_links_to_the_first_page_are_the_address_of_the_first_page(seeded, client):
    # Paging back to the start gives the address the filters' own links give, not a second one with page=1.
    page = html.fromstring(client.get("/ja/records/?kind=document&page_size=5&page=2").content)
    previous = page.xpath("//nav[@class='pagination']/a[@rel='prev']/@href")
    first = page.xpath("//nav[@class='pagination']//a[@class='page' and text()='1']/@href")
    assert previous == first == ["?kind=document&page_size=5"]
    assert page.xpath("//nav[@class='pagination']//a[@class='page' and text()='3']/@href") == [
        "?kind=document&page_size=5&page=3"]


@pytest.mark.parametrize(("language", "years", "one_year"), [
    ("en", "Years: 1990–2001", "Years: 2000"),
    ("ja", "年の範囲：1990年～2001年", "年の範囲：2000年"),
    ("ru", "Годы: 1990–2001", "Годы: 2000"),
])
def test_a_range_of_years_is_named_as_the_page_language_writes_one(seeded, client, language, years, one_year):
    page = html.fromstring(client.get(f"/{language}/records/?year_from=1990&year_to=2001&language=ru").content)
    assert years in page.xpath("//title")[0].text_content()
    assert years in page.xpath("//h1/following-sibling::*[1]")[0].text_content()
    page = html.fromstring(client.get(f"/{language}/records/?year_from=2000&year_to=2000").content)
    assert page.xpath("//title")[0].text_content().startswith(one_year + " — ")


@pytest.mark.parametrize(("language", "first", "second"), [("en", "no. 1", "no. 2"), ("ja", "第1号", "第2号"),
                                                          ("ru", "№ 1", "№ 2")])
def test_a_series_lists_its_parts_with_their_numbers(seeded, client, language, first, second):
    page = html.fromstring(client.get(f"/{language}/records/doc-primorye/").content)
    parts = page.xpath("//h2[following-sibling::ul[1][@class='records']]/following-sibling::ul[1]/li")
    numbers = [part.xpath(".//span[@class='sequence']")[0].text_content() for part in parts]
    assert numbers == [first, second]
