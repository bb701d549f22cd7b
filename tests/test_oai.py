"""The OAI-PMH 2.0 interface: every verb and error of the protocol, paging, sets, deletions, and no leaks."""

import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collection.models import (
    AgentKind,
    AgentRole,
    Description,
    Language,
    LevelOfDescription,
    Record,
    RecordKind,
    ReservedIdentifier,
    Status,
)
from collection.oai import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA, OAI_ID_NS, OAI_NS, OAI_SCHEMA, XML_NS, XSI_NS

from .factories import (
    AgentFactory,
    PlaceFactory,
    RecordFactory,
    SubjectFactory,
    add_title,
    link_agent,
    person,
)

pytestmark = pytest.mark.django_db

NS = {"oai": OAI_NS, "oai_dc": OAI_DC_NS, "dc": DC_NS, "id": OAI_ID_NS}
UTC_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
LANG = f"{{{XML_NS}}}lang"
SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"


def oai(client, method="get", **arguments):
    """The parsed response to a request with these arguments (a list repeats an argument)."""
    response = getattr(client, method)("/oai/", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # well-formed, or this raises
    assert root.tag == f"{{{OAI_NS}}}OAI-PMH"
    assert root.get(SCHEMA_LOCATION) == f"{OAI_NS} {OAI_SCHEMA}"
    assert UTC_SECOND.fullmatch(root.find("oai:responseDate", NS).text)
    return root


def error_of(root):
    error = root.find("oai:error", NS)
    return error.get("code") if error is not None else None


def identifiers(root):
    return [element.text for element in root.iterfind(".//oai:header/oai:identifier", NS)]


def deleted(root):
    return [
        header.find("oai:identifier", NS).text
        for header in root.iterfind(".//oai:header", NS)
        if header.get("status") == "deleted"
    ]


def dc(root, name):
    return [(element.text, element.get(LANG)) for element in root.iterfind(f".//oai_dc:dc/dc:{name}", NS)]


def at(*parts):
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def dated(record, moment):
    """``record`` as last changed at ``moment``, and dated for harvesters as a save then would have dated it."""
    Record.objects.filter(pk=record.pk).update(modified=moment)
    Record.objects.filter(pk=record.pk).restamp()
    return record


def harvest(client, verb="ListIdentifiers", **arguments):
    """Every header of a list, page by page, and the pages' resumption tokens."""
    root = oai(client, verb=verb, metadataPrefix="oai_dc", **arguments)
    headers, tokens = identifiers(root), []
    while (token := root.find(f"oai:{verb}/oai:resumptionToken", NS)) is not None:
        tokens.append(token)
        if not token.text:
            break
        root = oai(client, verb=verb, resumptionToken=token.text)
        assert error_of(root) is None
        headers += identifiers(root)
    return headers, tokens


# -- Identify, ListMetadataFormats, ListSets


def test_identify_describes_the_repository(client, settings):
    settings.COLLECTION_SITE_NAME = {"ja": "テスト文庫", "en": "Test archive"}
    settings.COLLECTION_OAI_ADMIN_EMAILS = ["archivist@example.org"]
    settings.COLLECTION_OAI_REPOSITORY_IDENTIFIER = "archive.example.org"
    dated(RecordFactory(identifier="mem-1"), at(2001, 2, 3, 4, 5, 6))
    dated(RecordFactory(identifier="mem-2"), at(2010, 1, 1))
    root = oai(client, verb="Identify")
    request = root.find("oai:request", NS)
    assert request.text == "http://testserver/oai/" and request.attrib == {"verb": "Identify"}
    identify = root.find("oai:Identify", NS)
    assert {child.tag.split("}")[1]: child.text for child in identify if child.text} == {
        "repositoryName": "Test archive",
        "baseURL": "http://testserver/oai/",
        "protocolVersion": "2.0",
        "adminEmail": "archivist@example.org",
        "earliestDatestamp": "2001-02-03T04:05:06Z",
        "deletedRecord": "persistent",
        "granularity": "YYYY-MM-DDThh:mm:ssZ",
    }
    # In the order the protocol's schema gives them.
    assert [child.tag.split("}")[1] for child in root] == ["responseDate", "request", "Identify"]
    assert [child.tag.split("}")[1] for child in identify] == [
        "repositoryName",
        "baseURL",
        "protocolVersion",
        "adminEmail",
        "earliestDatestamp",
        "deletedRecord",
        "granularity",
        "description",
    ]
    scheme = identify.find("oai:description/id:oai-identifier", NS)
    assert scheme.find("id:repositoryIdentifier", NS).text == "archive.example.org"
    assert scheme.find("id:sampleIdentifier", NS).text == "oai:archive.example.org:mem-1"


def test_identify_names_the_django_admins_without_an_address_of_its_own(client, settings):
    settings.ADMINS = [("Archivist", "admin@example.org")]
    settings.COLLECTION_OAI_ADMIN_EMAILS = None
    assert [e.text for e in oai(client, verb="Identify").iterfind(".//oai:adminEmail", NS)] == ["admin@example.org"]


def test_list_metadata_formats_offers_dublin_core(client):
    RecordFactory(identifier="mem-1")
    for arguments in ({}, {"identifier": "oai:testserver:mem-1"}):
        root = oai(client, verb="ListMetadataFormats", **arguments)
        formats = root.findall("oai:ListMetadataFormats/oai:metadataFormat", NS)
        assert [
            (
                f.find("oai:metadataPrefix", NS).text,
                f.find("oai:schema", NS).text,
                f.find("oai:metadataNamespace", NS).text,
            )
            for f in formats
        ] == [("oai_dc", OAI_DC_SCHEMA, OAI_DC_NS)]
    assert error_of(oai(client, verb="ListMetadataFormats", identifier="oai:testserver:mem-404")) == "idDoesNotExist"


def test_list_sets_by_kind(client):
    root = oai(client, verb="ListSets")
    assert [s.text for s in root.iterfind(".//oai:setSpec", NS)] == [
        "kind",
        "kind:memoir",
        "kind:document",
        "kind:association",
    ]
    assert error_of(oai(client, verb="ListSets", resumptionToken="x")) == "badResumptionToken"


# -- GetRecord and its Dublin Core


def test_get_record_gives_the_record_in_dublin_core(client, settings):
    settings.COLLECTION_OAI_REPOSITORY_IDENTIFIER = "archive.example.org"
    parent = RecordFactory(identifier="doc-series", title="Test series")
    record = RecordFactory(
        identifier="mem-1",
        kind=RecordKind.MEMOIR,
        title="テスト回想記",
        title__language="ja",
        parent=parent,
        level=LevelOfDescription.ITEM,
        date_edtf="1950-04",
        isbn="978-0-00-000000-2",
        issn="0000-0019",
        rights_statement="http://rightsstatements.org/vocab/InC/1.0/",
        extent="300 p.",
    )
    add_title(record, "Test memoir", "en", form="translation")
    link_agent(record, person("Yamada", "Taro"))
    link_agent(record, AgentFactory(name="Test Editor"), AgentRole.EDITOR)
    link_agent(record, AgentFactory(name="Test Press"), AgentRole.PUBLISHER)
    link_agent(record, AgentFactory(name="Test Second Press"), AgentRole.PUBLISHER)
    link_agent(record, AgentFactory(name="Test Person Written About"), AgentRole.SUBJECT)
    record.places.add(PlaceFactory(name="Test Camp"))
    record.subjects.add(SubjectFactory(label="Test subject"))
    record.languages.add(Language.objects.get_or_create(tag="ja")[0])
    Description.objects.create(record=record, language="en", text="A test description.")

    root = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:archive.example.org:mem-1")
    assert root.find("oai:request", NS).attrib == {
        "verb": "GetRecord",
        "metadataPrefix": "oai_dc",
        "identifier": "oai:archive.example.org:mem-1",
    }
    header = root.find("oai:GetRecord/oai:record/oai:header", NS)
    assert header.get("status") is None
    assert header.find("oai:identifier", NS).text == "oai:archive.example.org:mem-1"
    assert UTC_SECOND.fullmatch(header.find("oai:datestamp", NS).text)
    assert header.find("oai:setSpec", NS).text == "kind:memoir"
    metadata = root.find(".//oai_dc:dc", NS)
    assert metadata.get(SCHEMA_LOCATION) == f"{OAI_DC_NS} {OAI_DC_SCHEMA}"
    assert dc(root, "title") == [("テスト回想記", "ja"), ("Test memoir", "en")]
    assert dc(root, "creator") == [("Yamada, Taro", None)]
    assert dc(root, "contributor") == [("Test Editor", None)]
    assert dc(root, "publisher") == [("Test Press", None), ("Test Second Press", None)]
    assert dc(root, "subject") == [("Test Person Written About", "en"), ("Test subject", "en")]
    assert dc(root, "coverage") == [("Test Camp", "en")]
    assert dc(root, "description") == [("A test description.", "en")]
    assert dc(root, "date") == [("1950-04", None)]
    assert dc(root, "type") == [("Text", None), ("memoir", None)]
    assert dc(root, "format") == [("300 p.", None)]
    assert dc(root, "language") == [("ja", None)]
    assert dc(root, "identifier") == [
        ("http://testserver/en/records/mem-1/", None),
        ("urn:isbn:9780000000002", None),
        ("urn:issn:0000-0019", None),
    ]
    assert dc(root, "relation") == [("http://testserver/en/records/doc-series/", None)]
    assert dc(root, "rights") == [("http://rightsstatements.org/vocab/InC/1.0/", None)]


@pytest.mark.parametrize(("edtf", "date"), [
    ("1950-04", "1950-04"),
    ("1945~", "1945"),
    # A span of time keeps its end: a harvester would otherwise date the material to its first year alone.
    ("1945/1956", "1945/1956"),
    ("1945-08/1946-02", "1945-08/1946-02"),
    ("194X", "1940/1949"),
    ("../1950", "../1950"),
])
def test_the_dublin_core_date_is_the_whole_date(client, edtf, date):
    RecordFactory(identifier="doc-1", date_edtf=edtf)
    root = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:testserver:doc-1")
    assert dc(root, "date") == [(date, None)]


def test_get_record_finds_an_identifier_in_any_letter_case(client):
    RecordFactory(identifier="mem-1")
    for asked in ("oai:testserver:MEM-1", "oai:TestServer:Mem-1"):
        root = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=asked)
        assert error_of(root) is None
        assert identifiers(root) == ["oai:testserver:mem-1"]
        assert root.find("oai:request", NS).get("identifier") == asked


def test_get_record_errors(client):
    RecordFactory(identifier="mem-1")
    assert (
        error_of(oai(client, verb="GetRecord", metadataPrefix="marc21", identifier="oai:testserver:mem-1"))
        == "cannotDisseminateFormat"
    )
    for unknown in ("oai:testserver:mem-2", "oai:elsewhere.org:mem-1", "mem-1", "oai:testserver:"):
        assert error_of(oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=unknown)) == "idDoesNotExist"
    root = oai(client, verb="GetRecord", identifier="oai:testserver:mem-1")
    assert error_of(root) == "badArgument"


def test_an_unpublished_parent_is_no_relation(client):
    parent = RecordFactory(identifier="doc-series", status=Status.DRAFT, title="Draft series")
    RecordFactory(identifier="mem-1", parent=parent)
    root = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:testserver:mem-1")
    assert dc(root, "relation") == []
    assert b"doc-series" not in ET.tostring(root)


# -- lists, paging and selection


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_a_list_longer_than_a_page_comes_in_pages(client, settings, verb):
    settings.COLLECTION_OAI_PAGE_SIZE = 2
    for number in range(5):
        # Two records share each datestamp: the pages still list each once.
        dated(RecordFactory(identifier=f"doc-{number}"), at(2020, 1, 1 + number // 2))
    headers, tokens = harvest(client, verb)
    assert headers == [f"oai:testserver:doc-{number}" for number in range(5)]
    assert [(t.get("completeListSize"), t.get("cursor"), bool(t.text)) for t in tokens] == [
        ("5", "0", True),
        ("5", "2", True),
        ("5", "4", False),
    ]


def test_one_page_has_no_resumption_token(client):
    RecordFactory(identifier="doc-1")
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert root.find(".//oai:resumptionToken", NS) is None
    assert root.find("oai:request", NS).attrib == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}


def test_a_resumption_token_keeps_the_selection(client, settings):
    settings.COLLECTION_OAI_PAGE_SIZE = 1
    for number in range(3):
        dated(RecordFactory(identifier=f"mem-{number}", kind=RecordKind.MEMOIR), at(2020, 1, 1 + number))
    RecordFactory(identifier="doc-1", kind=RecordKind.DOCUMENT)
    headers, _tokens = harvest(client, set="kind:memoir", until="2020-01-02")
    assert headers == ["oai:testserver:mem-0", "oai:testserver:mem-1"]


def test_from_and_until_select_by_datestamp(client):
    dated(RecordFactory(identifier="doc-1"), at(2020, 1, 1, 23, 59, 59))
    dated(RecordFactory(identifier="doc-2"), at(2020, 1, 2, 0, 0, 0))
    dated(RecordFactory(identifier="doc-3"), at(2020, 1, 3, 12, 0, 0))

    def listed(**arguments):
        return [i.rsplit(":", 1)[1] for i in harvest(client, **arguments)[0]]

    assert listed(**{"from": "2020-01-02"}) == ["doc-2", "doc-3"]
    assert listed(until="2020-01-02") == ["doc-1", "doc-2"]
    assert listed(**{"from": "2020-01-02", "until": "2020-01-02"}) == ["doc-2"]
    assert listed(**{"from": "2020-01-01T23:59:59Z", "until": "2020-01-02T00:00:00Z"}) == ["doc-1", "doc-2"]
    assert listed(**{"from": "2020-01-03T12:00:01Z"}) == []
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2021-01-01"})
    assert error_of(root) == "noRecordsMatch"


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59Z"])
def test_until_the_last_day_of_the_calendar_lists_everything(client, until):
    # Some harvesters ask "until 9999-12-31" for an open end: a legal date, not one to fail on.
    dated(RecordFactory(identifier="doc-1"), at(2020, 1, 1))
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
    assert identifiers(root) == ["oai:testserver:doc-1"]
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": until, "until": until})
    assert error_of(root) == "noRecordsMatch"


def test_sets_select_by_kind(client):
    RecordFactory(identifier="mem-1", kind=RecordKind.MEMOIR)
    RecordFactory(identifier="doc-1", kind=RecordKind.DOCUMENT)
    memoirs = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind:memoir")
    assert identifiers(memoirs) == ["oai:testserver:mem-1"]
    assert [s.text for s in memoirs.iterfind(".//oai:setSpec", NS)] == ["kind:memoir"]
    assert len(identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind"))) == 2
    for unknown in ("kind:photograph", "year:1950"):
        assert error_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=unknown)) == "noRecordsMatch"


def renamed_in_the_admin(admin_client, entry, text):
    """The entry's first name changed on its change page, saved."""
    from .test_authority_concurrency import change_url, opened

    form = opened(admin_client, entry)
    [name] = [key for key in form if key.endswith("-0-text")]
    form[name] = text
    assert admin_client.post(change_url(entry), form).status_code == 302


@pytest.mark.parametrize("role", ["author", "repository"])
def test_a_datestamp_follows_a_renamed_author_or_repository(client, admin_client, role):
    record = RecordFactory(identifier="mem-1")
    agent = AgentFactory(name="Test Agent")
    if role == "author":
        link_agent(record, agent)
    else:
        Record.objects.filter(pk=record.pk).update(repository=agent)
    dated(record, at(2001, 1, 1))
    before = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01")
    assert identifiers(before) == ["oai:testserver:mem-1"]
    renamed_in_the_admin(admin_client, agent, "Renamed Test Agent")
    after = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01")
    assert error_of(after) == "noRecordsMatch"


def named_by_a_published_record(entry_kind):
    """A place or subject dated 2000, named by a published record dated 2001."""
    record = RecordFactory(identifier="mem-1")
    entry = {"place": PlaceFactory, "subject": SubjectFactory}[entry_kind](identifier=f"{entry_kind}-test")
    getattr(record, f"{entry_kind}s").add(entry)
    dated(record, at(2001, 1, 1))
    type(entry).objects.filter(pk=entry.pk).update(modified=at(2000, 1, 1))
    return entry


@pytest.mark.parametrize("entry_kind", ["place", "subject"])
def test_a_datestamp_follows_a_renamed_place_or_subject(client, admin_client, entry_kind):
    entry = named_by_a_published_record(entry_kind)
    before = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01")
    assert identifiers(before) == ["oai:testserver:mem-1"]
    renamed_in_the_admin(admin_client, entry, "Renamed test entry")
    after = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01")
    assert error_of(after) == "noRecordsMatch"
    assert identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2001-01-02"})) == [
        "oai:testserver:mem-1"]


@pytest.mark.parametrize("entry_kind", ["place", "subject"])
def test_the_sitemap_dates_a_record_page_by_the_last_rename_of_a_place_or_subject_it_names(
        client, admin_client, entry_kind):
    entry = named_by_a_published_record(entry_kind)

    def lastmod():
        sitemap = ET.fromstring(client.get("/sitemap-records.xml").content)
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        return {url.findtext("s:lastmod", namespaces=ns) for url in sitemap.iterfind("s:url", ns)}

    assert lastmod() == {"2001-01-01"}
    renamed_in_the_admin(admin_client, entry, "Renamed test entry")
    assert lastmod() == {timezone.now().date().isoformat()}

@pytest.mark.parametrize(("parent_status", "moves"), [(Status.PUBLISHED, True), (Status.DRAFT, False)])
def test_a_parts_datestamp_follows_a_change_of_the_published_record_it_is_part_of(client, parent_status, moves):
    """A part's Dublin Core gives its parent's title while the parent is public; an unpublished one's changes stay
    unknown."""
    parent = dated(RecordFactory(identifier="mem-parent", status=parent_status), at(2000, 1, 1))
    part = RecordFactory(identifier="mem-part", parent=parent, level=LevelOfDescription.VOLUME)
    dated(part, at(2001, 1, 1))
    dated(parent, at(2002, 2, 2))
    listed = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2002-01-01"}))
    assert ("oai:testserver:mem-part" in listed) is moves


def test_a_part_is_harvested_again_when_the_record_it_is_part_of_is_withdrawn(client, bob):
    """Its Dublin Core stops giving the withdrawn record's title: harvesters that took it must hear of the change,
    and a later change of the withdrawn record, which they cannot see, must not date the part again."""
    parent = dated(RecordFactory(identifier="mem-parent", title="Withdrawn test series"), at(2000, 1, 1))
    dated(RecordFactory(identifier="mem-part", parent=parent, level=LevelOfDescription.VOLUME), at(2001, 1, 1))
    since = timezone.now().date().isoformat()
    assert error_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})) == (
        "noRecordsMatch")

    parent.withdraw(bob, "Rights unclear.")
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": since})
    assert identifiers(root) == ["oai:testserver:mem-parent", "oai:testserver:mem-part"]
    assert deleted(root) == ["oai:testserver:mem-parent"]
    assert b"Withdrawn test series" not in ET.tostring(root)

    def datestamp_of_the_part():
        root = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:testserver:mem-part")
        return root.findtext(".//oai:header/oai:datestamp", namespaces=NS)

    withdrawn_at = datestamp_of_the_part()
    dated(parent, timezone.now() + datetime.timedelta(days=2))
    assert datestamp_of_the_part() == withdrawn_at


def test_a_datestamp_follows_the_romanization_the_task_gives_a_place_it_names(client):
    from collection.importing.romanizations import update_missing_forms
    from collection.models import PlaceName

    place = named_by_a_published_record("place")
    PlaceName.objects.create(place=place, language="ru", text="Тестовый лагерь")
    type(place).objects.filter(pk=place.pk).update(modified=at(2000, 1, 1))
    assert update_missing_forms() > 0
    assert error_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01")) == (
        "noRecordsMatch")

@pytest.mark.parametrize(("entry_kind", "row"), [
    ("place", {"identifier": "place-test", "kind": "camp", "name_en": "Renamed test camp"}),
    ("subject", {"identifier": "subject-test", "name_en": "Renamed test subject"}),
])
def test_a_datestamp_follows_a_place_or_subject_renamed_by_a_vocabulary_import(client, tmp_path, entry_kind, row):
    from django.core.management import call_command

    from collection.catalogue.csv_io import write_csv
    from collection.catalogue.format import vocabulary_columns

    from .catalogue_rows import write_file

    named_by_a_published_record(entry_kind)
    vocabulary = f"{entry_kind}s"
    path = write_file(tmp_path, write_csv([row], vocabulary_columns(vocabulary)), f"{vocabulary}.csv")
    call_command("import_catalogue", str(path), "--vocabulary", vocabulary, stdout=io.StringIO())
    assert error_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01")) == (
        "noRecordsMatch")


# -- deleted records


def test_withdrawn_deleted_and_reopened_records_are_deleted_headers(client, bob, dana):
    RecordFactory(identifier="doc-live")
    before = timezone.now().replace(microsecond=0)
    RecordFactory(identifier="doc-withdrawn", title="Withdrawn test title").withdraw(bob, "Rights unclear.")
    RecordFactory(identifier="doc-deleted", title="Deleted test title").purge(dana, "Duplicate.")
    revised = RecordFactory(identifier="doc-revised", title="Revised test title")
    revised.withdraw(bob, "To be corrected.")
    revised.reopen(bob)
    after = timezone.now()

    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert sorted(deleted(root)) == [
        "oai:testserver:doc-deleted",
        "oai:testserver:doc-revised",
        "oai:testserver:doc-withdrawn",
    ]
    assert len(root.findall(".//oai:metadata", NS)) == 1  # the live record's only
    for header in root.iterfind(".//oai:header[@status='deleted']", NS):
        stamp = datetime.datetime.strptime(header.find("oai:datestamp", NS).text, "%Y-%m-%dT%H:%M:%SZ")
        assert before <= stamp.replace(tzinfo=datetime.UTC) <= after
        assert header.find("oai:setSpec", NS).text == "kind:document"
    body = ET.tostring(root, encoding="unicode")
    assert "Withdrawn test title" not in body and "Deleted test title" not in body and "Revised" not in body

    for identifier in ("doc-withdrawn", "doc-deleted", "DOC-REVISED"):
        record = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:testserver:{identifier}")
        assert deleted(record) == [f"oai:testserver:{identifier.lower()}"]
        assert record.find(".//oai:metadata", NS) is None
    assert len(identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind:document"))) == 4


def test_a_withdrawal_dates_the_deleted_header(client, bob):
    record = dated(RecordFactory(identifier="doc-1"), at(2001, 1, 1))
    record.withdraw(bob, "Rights unclear.")
    # The withdrawal as the record's history has it, the moment its notice gives too (tests/test_tombstones.py).
    withdrawal = record.history.first()
    assert withdrawal.status == Status.WITHDRAWN
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert root.find(".//oai:datestamp", NS).text == withdrawal.history_date.astimezone(datetime.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_a_republished_record_is_live_again(client, bob, dana):
    record = RecordFactory(identifier="doc-1")
    record.withdraw(bob, "To be corrected.")
    record.reopen(bob)
    Record.objects.filter(pk=record.pk).update(status=Status.PUBLISHED)
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == ["oai:testserver:doc-1"] and deleted(root) == []


# -- nothing unpublished leaks


def never_public_records(dana):
    """A record in each state the public never saw, each with its own title."""
    RecordFactory(identifier="doc-draft", status=Status.DRAFT, title="Secret draft")
    RecordFactory(identifier="doc-review", status=Status.REVIEW, title="Secret review")
    RecordFactory(identifier="doc-withdrawn", status=Status.WITHDRAWN, title="Secret withdrawn")
    RecordFactory(identifier="doc-deleted", status=Status.DRAFT, title="Secret deleted").purge(dana, "Mistake.")
    RecordFactory(identifier="doc-deleted-review", status=Status.REVIEW, title="Secret too").purge(dana, "Mistake.")
    return ["doc-draft", "doc-review", "doc-withdrawn", "doc-deleted", "doc-deleted-review"]


def test_records_never_published_never_appear(client, dana):
    secrets = never_public_records(dana)
    assert ReservedIdentifier.objects.count() == len(secrets)
    for verb in ("ListIdentifiers", "ListRecords"):
        for selection in ({}, {"set": "kind"}, {"set": "kind:document"}, {"from": "2000-01-01"}):
            assert error_of(oai(client, verb=verb, metadataPrefix="oai_dc", **selection)) == "noRecordsMatch"
    for identifier in secrets:
        for case in (identifier, identifier.upper()):
            oai_id = f"oai:testserver:{case}"
            assert error_of(oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=oai_id)) == (
                "idDoesNotExist"
            )
            assert error_of(oai(client, verb="ListMetadataFormats", identifier=oai_id)) == "idDoesNotExist"


def test_records_never_published_stay_out_beside_public_ones(client, settings, dana):
    settings.COLLECTION_OAI_PAGE_SIZE = 2
    secrets = never_public_records(dana)
    RecordFactory(identifier="doc-public")
    headers, _tokens = harvest(client, "ListRecords")
    assert headers == ["oai:testserver:doc-public"]
    identify = oai(client, verb="Identify")
    body = b"".join(ET.tostring(root) for root in (identify, oai(client, verb="ListRecords", metadataPrefix="oai_dc")))
    assert not any(secret.encode() in body for secret in secrets) and b"Secret" not in body


# -- errors of the protocol


@pytest.mark.parametrize(
    "arguments", [{}, {"verb": "Harvest"}, {"verb": ["Identify", "Identify"]}, {"verb": "identify"}]
)
def test_bad_verb(client, arguments):
    root = oai(client, **arguments)
    assert error_of(root) == "badVerb"
    assert root.find("oai:request", NS).attrib == {}


@pytest.mark.parametrize(
    "arguments",
    [
        {"verb": "Identify", "identifier": "oai:testserver:mem-1"},
        {"verb": "ListSets", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords"},
        {"verb": "ListIdentifiers", "metadataPrefix": ["oai_dc", "oai_dc"]},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-01"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T00:00:00"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01T00:00Z"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-02", "until": "2020-01-01"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2020-01-02T00:00:00Z"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": ""},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:testserver:mem-1\x01"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "kind:\ufffe"},
        {"verb": "ListIdentifiers", "resumptionToken": "x\x0b"},
    ],
    ids=[
        "identify-argument",
        "sets-prefix",
        "no-prefix",
        "repeated",
        "token-and-more",
        "bad-month",
        "no-zone",
        "minutes",
        "from-after-until",
        "granularities",
        "empty",
        "get-record-no-identifier",
        # Characters XML cannot carry, not even escaped: echoed, they would make the answer no XML at all.
        "control-character",
        "non-character",
        "control-character-in-token",
    ],
)
def test_bad_argument(client, arguments):
    RecordFactory(identifier="mem-1")
    root = oai(client, **arguments)
    assert error_of(root) == "badArgument"
    assert root.find("oai:request", NS).attrib == {}
    assert root.find("oai:ListRecords", NS) is None


def test_bad_resumption_tokens(client, settings):
    settings.COLLECTION_OAI_PAGE_SIZE = 1
    RecordFactory(identifier="doc-1")
    RecordFactory(identifier="doc-2")
    token = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").find(".//oai:resumptionToken", NS).text
    assert error_of(oai(client, verb="ListIdentifiers", resumptionToken=token)) is None
    for bad in ("garbage", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        root = oai(client, verb="ListIdentifiers", resumptionToken=bad)
        assert error_of(root) == "badResumptionToken"
        assert root.find("oai:request", NS).get("resumptionToken") == bad
    # A token answers the verb that gave it only.
    assert error_of(oai(client, verb="ListRecords", resumptionToken=token)) == "badResumptionToken"


def test_errors_of_lists(client):
    assert error_of(oai(client, verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
    RecordFactory(identifier="mem-1")
    root = oai(client, verb="ListRecords", metadataPrefix="mods")
    assert error_of(root) == "cannotDisseminateFormat"
    assert root.find("oai:request", NS).attrib == {"verb": "ListRecords", "metadataPrefix": "mods"}


def test_requests_may_be_posted(client):
    RecordFactory(identifier="mem-1")
    root = oai(client, "post", verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:testserver:mem-1")
    assert identifiers(root) == ["oai:testserver:mem-1"]
    assert client.put("/oai/").status_code == 405


def test_repository_identifier_defaults_to_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["archive.example.org"]
    RecordFactory(identifier="mem-1")
    response = client.get(
        "/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}, HTTP_HOST="archive.example.org:8000"
    )
    assert identifiers(ET.fromstring(response.content)) == ["oai:archive.example.org:mem-1"]


# -- queries


def full_records(count):
    for number in range(count):
        record = RecordFactory(identifier=f"doc-{number:03d}", date_edtf="1950")
        add_title(record, f"Test title {number}", "ja")
        link_agent(record, AgentFactory(name=f"Test author {number}"))
        record.places.add(PlaceFactory(name=f"Test place {number}"))
        record.subjects.add(SubjectFactory(label=f"Test subject {number}"))
        Description.objects.create(record=record, language="en", text=f"Test description {number}.")


@pytest.mark.parametrize("count", [3, 30])
def test_a_page_costs_the_same_queries_whatever_its_size(client, count, django_assert_max_num_queries):
    parent = RecordFactory(identifier="doc-parent")
    full_records(count)
    archive = AgentFactory(kind=AgentKind.ORGANISATION, name="Test archive")
    Record.objects.exclude(pk=parent.pk).update(parent=parent, repository=archive)
    # The list's size, its page, then the page's published records (with their holding repositories) and their
    # titles, agents, agents' names, published parents, parents' titles, descriptions, places, places' names,
    # subjects, subjects' labels, languages and the holding repositories' names.
    with django_assert_max_num_queries(15):
        root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(root.findall(".//oai:metadata", NS)) == count + 1
    with django_assert_max_num_queries(2):  # headers only: the list's size and its page
        assert len(identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))) == count + 1
    with CaptureQueriesContext(connection) as queries:
        oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:testserver:doc-001")
    assert len(queries) <= 14  # as a page, but for the count


# -- system checks


def test_checks_ask_for_an_administrator_and_a_domain_name(settings):
    from collection.checks import check_oai

    settings.ADMINS = []
    settings.COLLECTION_OAI_ADMIN_EMAILS = None
    settings.COLLECTION_OAI_REPOSITORY_IDENTIFIER = "my archive"
    assert [warning.id for warning in check_oai()] == ["collection.W020", "collection.W021"]
    settings.COLLECTION_OAI_ADMIN_EMAILS = "archivist@example.org"
    settings.COLLECTION_OAI_REPOSITORY_IDENTIFIER = "archive.example.org"
    assert check_oai() == []


def test_a_record_in_revision_keeps_the_set_it_was_published_in(client, bob):
    record = RecordFactory(identifier="doc-1", kind=RecordKind.DOCUMENT)
    record.withdraw(bob, "To be corrected.")
    record.reopen(bob)
    record.refresh_from_db()
    record.kind = RecordKind.MEMOIR  # a draft's change the public never saw
    record.save()
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert deleted(root) == ["oai:testserver:doc-1"]
    assert [s.text for s in root.iterfind(".//oai:setSpec", NS)] == ["kind:document"]
    assert error_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind:memoir")) == (
        "noRecordsMatch"
    )


def test_pages_follow_datestamps_to_the_microsecond(client, settings):
    settings.COLLECTION_OAI_PAGE_SIZE = 2
    made = [RecordFactory(identifier=f"doc-{number}").identifier for number in range(5)]
    headers, _tokens = harvest(client, "ListRecords")
    assert sorted(headers) == sorted(f"oai:testserver:{identifier}" for identifier in made)


# -- datestamps, kept as the records change


def header_of(client, identifier):
    """The status and datestamp of the record's header, as GetRecord gives them."""
    root = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:testserver:{identifier}")
    header = root.find(".//oai:header", NS)
    return header.get("status"), header.find("oai:datestamp", NS).text


def utc_second(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def imported(user, record, **changes):
    from collection.catalogue.writer import write_rows

    row = {"identifier": record.identifier, "kind": record.kind, "status": record.status,
           "title_en": record.display_title("en"), **changes}
    assert write_rows([(2, row)], user=user).ok


CHANGES = {
    "edited": lambda record, people: (setattr(record, "extent", "12 p."), record.save()),
    "edited by an import": lambda record, people: imported(people["dana"], record, extent="12 p."),
    "published": lambda record, people: record.publish(people["bob"]),
    "published by an import": lambda record, people: imported(people["dana"], record, status=Status.PUBLISHED),
    "withdrawn": lambda record, people: record.withdraw(people["bob"], "Rights unclear."),
    "withdrawn by a bulk action": lambda record, people: _withdrawn_in_bulk(record, people["bob"]),
    "deleted": lambda record, people: record.purge(people["dana"], "Duplicate entry."),
}


def _withdrawn_in_bulk(record, user):
    from collection.workflow import ACTIONS, apply_to_many

    assert apply_to_many(Record.objects.filter(pk=record.pk), user, ACTIONS["withdraw"], "Rights unclear.").done


@pytest.mark.parametrize("how", CHANGES)
def test_a_datestamp_moves_when_a_record_changes_as_the_public_sees_it(client, alice, bob, dana, how):
    record = dated(RecordFactory(identifier="doc-1", title="Test title"), at(2001, 1, 1))
    assert header_of(client, "doc-1") == (None, "2001-01-01T00:00:00Z")
    if how.startswith("published"):
        # Withdrawn to be revised, and now in review: harvesters have it as deleted since it left.
        record.withdraw(bob, "To be corrected.")
        record.reopen(bob)
        record.submit(alice)
        assert header_of(client, "doc-1")[0] == "deleted"
    before = timezone.now()
    CHANGES[how](Record.objects.get(pk=record.pk), {"alice": alice, "bob": bob, "dana": dana})
    after = timezone.now()
    status, datestamp = header_of(client, "doc-1")
    assert status == (None if how.startswith(("edited", "published")) else "deleted")
    assert utc_second(before) <= datestamp <= utc_second(after)


def test_a_harvest_from_a_moment_lists_exactly_the_records_changed_since(client, alice, bob):
    series = RecordFactory(identifier="doc-series", title="Test series")
    for identifier, status in [("doc-edited", Status.PUBLISHED), ("doc-withdrawn", Status.PUBLISHED),
                               ("doc-published", Status.REVIEW), ("doc-draft", Status.DRAFT),
                               ("doc-untouched", Status.PUBLISHED)]:
        RecordFactory(identifier=identifier, status=status, title=f"Test {identifier}")
    RecordFactory(identifier="doc-volume", parent=series, level=LevelOfDescription.VOLUME, title="Test volume")
    for record in Record.objects.all():
        dated(record, at(2001, 1, 1))
    since = timezone.now().replace(microsecond=0)

    edited = Record.objects.get(identifier="doc-edited")
    edited.extent = "12 p."
    edited.save()
    Record.objects.get(identifier="doc-withdrawn").withdraw(bob, "Rights unclear.")
    Record.objects.get(identifier="doc-published").publish(bob)
    draft = Record.objects.get(identifier="doc-draft")
    draft.extent = "3 p."  # never public: harvesters never hear of it
    draft.save()
    series = Record.objects.get(identifier="doc-series")
    series.extent = "3 vols."  # its volume's Dublin Core gives its title: the volume changed too
    series.save()

    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": utc_second(since)})
    assert sorted(identifiers(root)) == [f"oai:testserver:{identifier}" for identifier in (
        "doc-edited", "doc-published", "doc-series", "doc-volume", "doc-withdrawn")]
    assert deleted(root) == ["oai:testserver:doc-withdrawn"]
    earlier = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2001-01-01")
    assert identifiers(earlier) == ["oai:testserver:doc-untouched"]


@pytest.mark.parametrize("count", [1, 10])
def test_a_harvest_by_dates_costs_the_same_queries_for_one_record_as_for_many(
        client, bob, dana, count, django_assert_max_num_queries):
    for number in range(count):
        dated(RecordFactory(identifier=f"doc-{number:03d}", title=f"Test {number}"), at(2001, 1, 1))
        RecordFactory(identifier=f"doc-withdrawn-{number:03d}").withdraw(bob, "Rights unclear.")
        RecordFactory(identifier=f"doc-deleted-{number:03d}").purge(dana, "Duplicate entry.")
    selection = {"metadataPrefix": "oai_dc", "from": "2001-01-01", "set": "kind:document"}
    with CaptureQueriesContext(connection) as queries:
        with django_assert_max_num_queries(2):  # the list's size and its page
            listed = oai(client, verb="ListIdentifiers", **selection)
        with django_assert_max_num_queries(12):  # as ListIdentifiers, then the page's records and what they show
            records = oai(client, verb="ListRecords", **selection)
        with django_assert_max_num_queries(1):
            oai(client, verb="Identify")
    assert len(identifiers(listed)) == len(identifiers(records)) == 3 * count
    assert len(deleted(records)) == 2 * count
    # Selected and paged by the datestamps kept with the reservations: no harvest reads a history.
    assert not [query["sql"] for query in queries if "historical" in query["sql"].lower()]


def test_a_deletion_dates_its_history_row_and_its_header_alike(client, dana):
    record = dated(RecordFactory(identifier="doc-1"), at(2001, 1, 1))
    record.purge(dana, "Duplicate entry.")
    deletion = Record.history.filter(identifier="doc-1").latest("history_id")
    assert deletion.history_type == "-"
    # To the microsecond, where the API's answer gives it.
    assert client.get("/api/records/doc-1/").json()["date"] == deletion.history_date.isoformat()
    assert header_of(client, "doc-1") == ("deleted", utc_second(deletion.history_date))


def test_records_an_import_adds_are_harvested_when_published_and_only_then(client, dana):
    from collection.catalogue.writer import write_rows

    rows = [{"identifier": f"doc-{status}", "kind": "document", "status": status, "title_en": f"Imported {status}"}
            for status in (Status.PUBLISHED, Status.DRAFT, Status.REVIEW)]
    before = timezone.now()
    assert write_rows(list(enumerate(rows, start=2)), user=dana).ok
    after = timezone.now()
    headers, _tokens = harvest(client)
    assert [identifier.rsplit(":", 1)[-1] for identifier in headers] == ["doc-published"]
    status, datestamp = header_of(client, "doc-published")
    assert status is None and utc_second(before) <= datestamp <= utc_second(after)
