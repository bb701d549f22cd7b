"""An OAI-PMH 2.0 data provider: the published catalogue for harvesters (Europeana, WorldCat, CiNii, …).

The protocol is http://www.openarchives.org/OAI/openarchivesprotocol.html. :func:`respond` answers one
request, from its arguments, with the XML of the response; ``collection.views.oai`` only passes the request's
arguments in and the XML out.

What is listed is ``ReservedIdentifier.objects.known_to_the_public()``: the published records, and as deleted
records (``status="deleted"``) those once published and since withdrawn, back in revision or deleted. A record
that was never published appears in no answer, not even as deleted. Lists come in pages of
``COLLECTION_OAI_PAGE_SIZE``, in the order of (datestamp, identifier); a resumption token carries the query
and where the page ended, signed, so that the server keeps no state and a token cannot be forged.

Each record's datestamp and set are kept with its reservation as the record changes
(``ReservedIdentifierQuerySet.restamp``), with an index in the lists' order: ``from``, ``until`` and each page
are ranges of that index, in the same few queries whatever the size of the catalogue and its history.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.http.request import split_domain_port
from django.utils import timezone, translation

from .citations import dublin_core
from .conf import app_settings
from .models import Record, RecordKind, ReservedIdentifier
from .text import NOT_XML, xml_text

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

for _prefix, _uri in (("oai_dc", OAI_DC_NS), ("dc", DC_NS), ("xsi", XSI_NS), ("oai-identifier", OAI_ID_NS)):
    ET.register_namespace(_prefix, _uri)

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}
SET_ROOT = "kind"

# Per verb: the arguments it requires, those it may take, and the one that excludes all others.
VERBS: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "Identify": (frozenset(), frozenset(), None),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), None),
    "ListSets": (frozenset(), frozenset(), "resumptionToken"),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), None),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken"),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken"),
}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)
# The syntax of a repository identifier in the oai-identifier scheme: a domain name.
REPOSITORY_IDENTIFIER = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+", re.ASCII)
_TOKEN_SALT = "collection.oai.resumption"


class OAIError(Exception):
    """An error condition of the protocol: its code (``badArgument``…) and a message for the harvester."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Repository:
    """What a response says of the repository: where it answers and under which identifier."""

    base_url: str
    # The scheme and host of the public pages, for records' permanent URLs.
    site_root: str
    identifier: str
    name: str
    admin_emails: Sequence[str]


def repository_identifier(host: str) -> str:
    """``COLLECTION_OAI_REPOSITORY_IDENTIFIER``, or else the host the request came to, without its port."""
    configured = app_settings.OAI_REPOSITORY_IDENTIFIER
    if configured:
        return str(configured)
    domain, _port = split_domain_port(host)
    return domain or host.lower()


def admin_emails() -> list[str]:
    """``COLLECTION_OAI_ADMIN_EMAILS``, or else the addresses of Django's ``ADMINS``."""
    configured = app_settings.OAI_ADMIN_EMAILS
    if configured:
        return [str(email) for email in ([configured] if isinstance(configured, str) else configured)]
    return [admin[1] if isinstance(admin, (list, tuple)) else str(admin) for admin in settings.ADMINS]


def repository_name() -> str:
    """The site's name (``COLLECTION_SITE_NAME``) in English, the protocol's language."""
    from .templatetags.collection_tags import site_name

    with translation.override("en"):
        return site_name()


# -- the whole response


def respond(
    arguments: Mapping[str, Sequence[str]], repository: Repository, now: datetime.datetime | None = None
) -> bytes:
    """The XML answering a request with these arguments (each name with all the values it was given)."""
    # The protocol's elements are in the default namespace, declared here: ElementTree cannot write a default
    # namespace beside attributes in none (verb, code, status).
    root = ET.Element("OAI-PMH", {"xmlns": OAI_NS, f"{{{XSI_NS}}}schemaLocation": f"{OAI_NS} {OAI_SCHEMA}"})
    _sub(root, "responseDate", _datestamp(now or timezone.now()))
    request = _sub(root, "request", repository.base_url)
    try:
        verb, given = _checked_arguments(arguments)
    except OAIError as error:
        # A request with a bad verb or bad arguments is echoed by its base URL only.
        _error(root, error)
        return _serialized(root)
    request.attrib.update({"verb": verb, **given})
    try:
        with translation.override("en"):
            HANDLERS[verb](root, given, repository)
    except OAIError as error:
        for child in list(root)[2:]:
            root.remove(child)
        _error(root, error)
    return _serialized(root)


def _checked_arguments(arguments: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
    verbs = list(arguments.get("verb", []))
    if len(verbs) != 1 or verbs[0] not in VERBS:
        if len(verbs) > 1:
            raise OAIError("badVerb", "The verb argument is repeated.")
        raise OAIError("badVerb", "Missing verb argument." if not verbs else f"Illegal verb: {verbs[0]}.")
    verb = verbs[0]
    required, optional, exclusive = VERBS[verb]
    given: dict[str, str] = {}
    for name, values in arguments.items():
        if name == "verb":
            continue
        if name not in required | optional | {exclusive}:
            raise OAIError("badArgument", f"Illegal argument for {verb}: {name}.")
        if len(values) != 1:
            raise OAIError("badArgument", f"The argument {name} is repeated.")
        if not values[0]:
            raise OAIError("badArgument", f"The argument {name} is empty.")
        if NOT_XML.search(values[0]):
            # No value of the protocol's holds one, and echoed in the request element it would make the whole
            # answer ill-formed.
            raise OAIError("badArgument", f"The argument {name} holds a character XML cannot carry.")
        given[name] = values[0]
    if exclusive and exclusive in given:
        if len(given) > 1:
            raise OAIError("badArgument", f"{exclusive} is an exclusive argument: no other may go with it.")
        return verb, given
    missing = sorted(required - given.keys())
    if missing:
        raise OAIError("badArgument", f"Missing required argument for {verb}: {', '.join(missing)}.")
    _date_range(given.get("from", ""), given.get("until", ""))  # a date that is none is a bad argument
    return verb, given


# -- the verbs


def identify(root: ET.Element, given: dict[str, str], repository: Repository) -> None:
    element = _sub(root, "Identify")
    _sub(element, "repositoryName", repository.name)
    _sub(element, "baseURL", repository.base_url)
    _sub(element, "protocolVersion", "2.0")
    for email in repository.admin_emails:
        _sub(element, "adminEmail", email)
    earliest = (
        ReservedIdentifier.objects.known_to_the_public()
        .order_by("datestamp")
        .values_list("datestamp", flat=True)
        .first()
    )
    _sub(element, "earliestDatestamp", _datestamp(earliest or timezone.now()))
    # Withdrawals and deletions are kept for good (collection.tombstones): harvesters always learn of them.
    _sub(element, "deletedRecord", "persistent")
    _sub(element, "granularity", GRANULARITY)
    if REPOSITORY_IDENTIFIER.fullmatch(repository.identifier):
        description = _sub(element, "description")
        scheme = ET.SubElement(
            description,
            f"{{{OAI_ID_NS}}}oai-identifier",
            {f"{{{XSI_NS}}}schemaLocation": f"{OAI_ID_NS} {OAI_ID_SCHEMA}"},
        )
        sample = Record.objects.published().order_by("pk").values_list("identifier", flat=True).first()
        for name, value in (
            ("scheme", "oai"),
            ("repositoryIdentifier", repository.identifier),
            ("delimiter", ":"),
            ("sampleIdentifier", oai_identifier(repository, sample or "mem-000001")),
        ):
            ET.SubElement(scheme, f"{{{OAI_ID_NS}}}{name}").text = value


def list_metadata_formats(root: ET.Element, given: dict[str, str], repository: Repository) -> None:
    if "identifier" in given:
        _known(given["identifier"], repository)
    element = _sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        entry = _sub(element, "metadataFormat")
        _sub(entry, "metadataPrefix", prefix)
        _sub(entry, "schema", schema)
        _sub(entry, "metadataNamespace", namespace)


def list_sets(root: ET.Element, given: dict[str, str], repository: Repository) -> None:
    if "resumptionToken" in given:
        raise OAIError("badResumptionToken", "This repository's list of sets comes whole, without tokens.")
    element = _sub(root, "ListSets")
    for spec, name in sets():
        entry = _sub(element, "set")
        _sub(entry, "setSpec", spec)
        _sub(entry, "setName", name)


def sets() -> list[tuple[str, str]]:
    """The sets: every record by its kind (``kind:memoir``…), under ``kind``, which holds them all."""
    return [(SET_ROOT, "Records by kind")] + [
        (f"{SET_ROOT}:{value}", str(label).capitalize()) for value, label in RecordKind.choices
    ]


def get_record(root: ET.Element, given: dict[str, str], repository: Repository) -> None:
    _check_format(given["metadataPrefix"])
    row = _known(given["identifier"], repository)
    records = harvested_records([row])
    _record(_sub(root, "GetRecord"), row, records, repository)


def list_identifiers(root: ET.Element, given: dict[str, str], repository: Repository) -> None:
    _list(root, given, repository, "ListIdentifiers")


def list_records(root: ET.Element, given: dict[str, str], repository: Repository) -> None:
    _list(root, given, repository, "ListRecords")


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}


# -- lists and their resumption


def _list(root: ET.Element, given: dict[str, str], repository: Repository, verb: str) -> None:
    if "resumptionToken" in given:
        query = _token_query(given["resumptionToken"], verb)
    else:
        query = {
            "m": given["metadataPrefix"],
            "f": given.get("from", ""),
            "u": given.get("until", ""),
            "s": given.get("set", ""),
            "c": 0,
        }
        _check_format(query["m"])
    matching = _matching(query)
    # One query counts the list, one reads the page (one row more, to know whether another page follows).
    size = matching.count()
    page_size = max(1, int(app_settings.OAI_PAGE_SIZE))
    page = matching
    if "d" in query:
        after = datetime.datetime.fromisoformat(query["d"])
        page = page.filter(Q(datestamp__gt=after) | Q(datestamp=after, identifier__gt=query["i"]))
    rows = list(page.values("identifier", "datestamp", "public", "kind", "record_id")[: page_size + 1])
    if not rows:
        if "d" in query:
            raise OAIError("noRecordsMatch", "No records remain in the list this token continues.")
        raise OAIError("noRecordsMatch", "No records match the request.")
    more, rows = len(rows) > page_size, rows[:page_size]
    element = _sub(root, verb)
    if verb == "ListRecords":
        records = harvested_records(rows)
        for row in rows:
            _record(element, row, records, repository)
    else:
        for row in rows:
            _header(element, row, repository)
    if more or "d" in query:
        token = _sub(element, "resumptionToken", "", completeListSize=str(size), cursor=str(query["c"]))
        if more:
            last = rows[-1]
            token.text = signing.dumps(
                {
                    **query,
                    "v": verb,
                    "d": last["datestamp"].isoformat(),
                    "i": last["identifier"],
                    "c": query["c"] + len(rows),
                },
                salt=_TOKEN_SALT,
                compress=True,
            )


def _matching(query: dict[str, Any]) -> QuerySet[ReservedIdentifier]:
    """What a list request asks for, in the order of its pages; ``noRecordsMatch`` for a set that is none."""
    matching = ReservedIdentifier.objects.known_to_the_public()
    lower, upper = _date_range(query["f"], query["u"])
    if lower is not None:
        matching = matching.filter(datestamp__gte=lower)
    if upper is not None:
        matching = matching.filter(datestamp__lt=upper)
    if query["s"]:
        kinds = _kinds_of_set(query["s"])
        if kinds is None:
            raise OAIError("noRecordsMatch", f"There is no set {query['s']}.")
        matching = matching.filter(kind__in=kinds)
    return matching.order_by("datestamp", "identifier")


def _kinds_of_set(spec: str) -> list[str] | None:
    if spec == SET_ROOT:
        return list(RecordKind.values)
    root, _colon, kind = spec.partition(":")
    return [kind] if root == SET_ROOT and kind in RecordKind.values else None


def _date_range(start: str, end: str) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """``from`` and ``until`` as the first datestamp in and the first after, in UTC: ``until`` takes in all of
    its day or second, as datestamps are given to the second."""
    bounds = [_parsed_date(value, name) for name, value in (("from", start), ("until", end))]
    granularities = {kind for _value, kind in bounds if kind}
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    (lower, _kind), (upper, kind) = bounds
    if lower is not None and upper is not None and lower > upper:
        raise OAIError("badArgument", "from is later than until.")
    if upper is not None:
        try:
            upper += datetime.timedelta(days=1) if kind == "day" else datetime.timedelta(seconds=1)
        except OverflowError:
            # The calendar's last day or second ("until 9999-12-31", an open end to some harvesters): nothing
            # comes after it, so it bounds nothing.
            upper = None
    return lower, upper


def _parsed_date(value: str, name: str) -> tuple[datetime.datetime | None, str]:
    if not value:
        return None, ""
    try:
        if _DAY.fullmatch(value):
            return datetime.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=datetime.UTC), "day"
        if _SECOND.fullmatch(value):
            return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC), "second"
    except ValueError:
        pass
    raise OAIError("badArgument", f"{name} is not a UTC date (YYYY-MM-DD) or time (YYYY-MM-DDThh:mm:ssZ): {value}.")


def _token_query(token: str, verb: str) -> dict[str, Any]:
    try:
        query = signing.loads(token, salt=_TOKEN_SALT)
        if not isinstance(query, dict) or query.get("v") != verb:
            raise ValueError(token)
        datetime.datetime.fromisoformat(query["d"])
        if not all(isinstance(query.get(key), str) for key in ("m", "f", "u", "s", "i")):
            raise ValueError(token)
        if not isinstance(query.get("c"), int):
            raise ValueError(token)
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise OAIError("badResumptionToken", "The resumption token is invalid.") from None
    return query


# -- records


def oai_identifier(repository: Repository, identifier: str) -> str:
    return f"oai:{repository.identifier}:{identifier}"


def _known(identifier: str, repository: Repository) -> dict[str, Any]:
    """The listing row of an OAI identifier the public may know of, in whatever letter case the record's
    identifier is given; ``idDoesNotExist`` for any other."""
    prefix = f"oai:{repository.identifier}:"
    if identifier[: len(prefix)].lower() != prefix.lower() or len(identifier) == len(prefix):
        raise OAIError("idDoesNotExist", f"No record in this repository has the identifier {identifier}.")
    row = (
        ReservedIdentifier.objects.known_to_the_public()
        .any_case([identifier[len(prefix) :]])
        .values("identifier", "datestamp", "public", "kind", "record_id")
        .first()
    )
    if row is None:
        raise OAIError("idDoesNotExist", f"No record in this repository has the identifier {identifier}.")
    return row


def harvested_records(rows: list[dict[str, Any]]) -> dict[int, Record]:
    """The published records of these listing rows, with all their Dublin Core shows, by primary key: the same
    queries for one record as for a page."""
    ids = [row["record_id"] for row in rows if row["public"]]
    if not ids:
        return {}
    records = (
        Record.objects.published()
        .filter(pk__in=ids)
        .with_listing()
        .with_published_parent()
        .select_related("repository")
        .prefetch_related("descriptions", "places__names", "subjects__labels", "languages", "repository__names")
    )
    return {record.pk: record for record in records}


def _record(parent: ET.Element, row: dict[str, Any], records: dict[int, Record], repository: Repository) -> None:
    record = records.get(row["record_id"]) if row["public"] else None
    element = _sub(parent, "record")
    _header(element, row, repository, deleted=record is None)
    if record is None:
        return
    metadata = _sub(element, "metadata")
    dc = ET.SubElement(metadata, f"{{{OAI_DC_NS}}}dc", {f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}"})

    def url_of(item: Record) -> str:
        # The permanent URL in the site's default language, as the sitemap's first alternate.
        with translation.override(settings.LANGUAGE_CODE):
            return repository.site_root + item.get_absolute_url()

    for name, value, language in dublin_core(record, url_of):
        child = ET.SubElement(dc, f"{{{DC_NS}}}{name}")
        child.text = xml_text(value)
        if language:
            child.set(f"{{{XML_NS}}}lang", language)


def _header(parent: ET.Element, row: dict[str, Any], repository: Repository, deleted: bool | None = None) -> None:
    if deleted is None:
        deleted = not row["public"]
    header = _sub(parent, "header", **({"status": "deleted"} if deleted else {}))
    _sub(header, "identifier", oai_identifier(repository, row["identifier"]))
    _sub(header, "datestamp", _datestamp(row["datestamp"]))
    if row["kind"]:
        _sub(header, "setSpec", f"{SET_ROOT}:{row['kind']}")


# -- XML


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = xml_text(text)
    return element


def _error(root: ET.Element, error: OAIError) -> None:
    _sub(root, "error", error.message, code=error.code)


def _check_format(prefix: str) -> None:
    if prefix not in METADATA_FORMATS:
        raise OAIError("cannotDisseminateFormat", f"The metadata format {prefix} is not supported: use oai_dc.")


def _datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _serialized(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
