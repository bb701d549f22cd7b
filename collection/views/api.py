"""The JSON API: ``/api/records/`` takes the browse page's filters; ``/api/places/``, ``/api/subjects/`` and
``/api/agents/`` answer as the authority pages do. Only published records, counted or named."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language

from ..facets import Facet, FacetValue
from ..models import Agent, Label, Place, Record, Subject
from ..search import name_order_key
from ..tombstones import identifier_as_given, tombstone_for
from .authorities import agent_association, agent_holdings, agent_records, place_records, subject_records
from .browse import browse_context, page_url
from .record import public_record_queryset

JSON_PARAMS = {"ensure_ascii": False}


def record_json(record: Record, request: HttpRequest, language: str, *, full: bool = False) -> dict[str, Any]:
    """A record as the API gives it; ``full`` adds what only the single-record answer carries."""
    titles: dict[str, list[dict[str, Any]]] = {}
    for title in record.titles.all():
        titles.setdefault(title.language, []).append({"text": title.text, "form": title.form,
                                                      "preferred": title.preferred,
                                                      "machine_made": title.machine_made})
    data: dict[str, Any] = {
        "identifier": record.identifier,
        "kind": record.kind,
        "title": record.display_title(language),
        "titles": titles,
        "date": {"edtf": record.date_edtf, "display": record.date_display,
                 "year_start": record.year_start, "year_end": record.year_end},
        "agents": [{"identifier": link.agent.identifier, "name": link.agent.display_name(language),
                    "role": link.role} for link in record.agent_links.all()],
        "places": [{"identifier": p.identifier, "name": p.display_name(language)} for p in record.places.all()],
        "subjects": [{"identifier": s.identifier, "name": s.display_name(language)} for s in record.subjects.all()],
        "link": request.build_absolute_uri(record.get_absolute_url()),
    }
    # The series or work it is part of, where the public may see it (prefetched by every list and page).
    parent = record.published_parent()
    data["part_of"] = _record_ref(parent, request) if parent else None
    if full:
        data["languages"] = [language.tag for language in record.languages.all()]
        data["descriptions"] = {d.language: d.text for d in record.descriptions.all()}
        data["repository"] = record.repository.identifier if record.repository else None
        # The organisation an association record describes, whose page its own page links to.
        described = record.described_agent
        data["described_agent"] = _entry_ref(described, request, "agent-detail") if described else None
        data["isbn"] = record.isbn
        # What the record's page shows besides: its bibliographic fields, as catalogued.
        for field in ("resource_type", "level", "sequence", "container_title", "volume", "issue", "pages",
                      "edition", "publication_place", "extent", "issn", "call_number", "url", "archived_url",
                      "reference_fond", "reference_opis", "reference_delo", "reference_folios"):
            data[field] = getattr(record, field)
        data["accessed"] = record.accessed.isoformat() if record.accessed else None
        data["parent"] = parent.identifier if parent else None  # an unpublished parent is not the public's to name
        # Its published parts, in the order of its page's contents.
        data["children"] = list(record.children.published().order_by("sequence", "identifier")
                                .values_list("identifier", flat=True))
    return data


def record_api_list(request: HttpRequest) -> JsonResponse:
    context = browse_context(request.GET, get_language())
    problems = context["problems"]
    if context["refused"] or context["page_missing"]:
        # As the page: a parameter not understood is a 400, a page beyond the last a 404 (a client paging on
        # stops there); either with only what went wrong.
        return JsonResponse({"errors": problems}, status=400 if context["refused"] else 404,
                            json_dumps_params=JSON_PARAMS)
    records = context["records"]
    prefetch_related_objects(records, "places__names", "subjects__labels")
    facets = {facet.name: facet.flat if facet.flat is not None else _facet_values(facet.values)
              for facet in context["facets"]}
    page = context["page_obj"]

    def link(number: int) -> str:
        # The same filters, order and size, as the browse page's own links carry them on.
        return request.build_absolute_uri(request.path + page_url(context["state"], number, first_bare=False))

    return JsonResponse({
        "count": context["paginator"].count,
        "page": page.number,
        "pages": context["paginator"].num_pages,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": [record_json(record, request, get_language()) for record in records],
        "facets": facets,
        "facet_values": {facet.name: _facet_json(facet) for facet in context["facets"]},
        # What was given but not used while the rest applied (a value beside a filter's others, a sort not a
        # choice): reported as errors are.
        **({"errors": problems} if problems else {}),
    }, json_dumps_params=JSON_PARAMS)


def _facet_values(values: list) -> dict[str, int]:
    flat: dict[str, int] = {}
    for value in values:
        flat[value.value] = value.count
        flat.update(_facet_values(value.children))
    return flat


def _facet_json(facet: Facet) -> dict[str, Any]:
    """A facet as the browse page shows it: its label, and the values it lists with theirs, in its order."""
    return {"label": facet.label, "values": [_facet_value_json(value, tree=facet.name == "place")
                                             for value in facet.values]}


def _facet_value_json(value: FacetValue, *, tree: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "value": value.value,
        "label": value.label,
        # The language of an entry's name, which may not be the answer's (a name in Japanese only, say);
        # a kind, a decade or a language is named in the answer's language.
        "label_language": value.lang or None,
        "count": value.count,
        "selected": value.selected,
    }
    if tree:
        data["children"] = [_facet_value_json(child, tree=True) for child in value.children]
    return data


def record_api_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    record = public_record_queryset().filter(identifier=identifier).first()
    if record is None:
        # As the record's page: a withdrawn or deleted record's public facts with 410, else 404.
        tombstone = tombstone_for(identifier)
        if tombstone is not None:
            return JsonResponse(tombstone.public_facts(), status=tombstone.status_code,
                                json_dumps_params=JSON_PARAMS)
        if given := identifier_as_given(identifier):
            return redirect("collection_api:record-detail", identifier=given, permanent=True)
        return JsonResponse({"identifier": identifier, "status": "not_found"}, status=404)
    return JsonResponse(record_json(record, request, get_language(), full=True),
                        json_dumps_params=JSON_PARAMS)


# --- authorities -----------------------------------------------------------------------------------
# Each answers exactly when its public page does (``with_public_page``), and counts what the page counts.


def _names_json(labels: Iterable[Label]) -> dict[str, list[dict[str, Any]]]:
    """Every name, by language tag (``ja``, ``ja-Hrkt``, ``ja-Latn``…), as the page lists them."""
    names: dict[str, list[dict[str, Any]]] = {}
    for label in labels:
        names.setdefault(label.language, []).append({
            "text": label.text, "form": label.form, "preferred": label.preferred,
            "our_translation": label.our_translation, "machine_made": label.machine_made})
    return names


def _entry_ref(entry: Agent | Place | Subject, request: HttpRequest, route: str) -> dict[str, Any]:
    """An entry by identifier, with the name its page is headed by, that page and its own answer."""
    label = entry.display_label(get_language())
    return {
        "identifier": entry.identifier,
        "name": label.text if label else "",
        "name_language": label.language if label else None,
        "link": request.build_absolute_uri(entry.get_absolute_url()),
        "api": request.build_absolute_uri(reverse(f"collection_api:{route}", kwargs={"identifier": entry.identifier})),
    }


def _records_link(request: HttpRequest, parameter: str, identifier: str, count: int) -> str | None:
    """The records API filtered on the entry; none where no record is there to list (the filter would refuse
    an entry no published record has in that role)."""
    if not count:
        return None
    return request.build_absolute_uri(f"{reverse('collection_api:record-list')}?{urlencode({parameter: identifier})}")


def _entry_json(entry: Agent | Place | Subject, request: HttpRequest, route: str, names: Iterable[Label],
                parameter: str, records: QuerySet[Record]) -> dict[str, Any]:
    """The entry as its page shows it: its names, and its published records counted, with their list."""
    count = records.count()
    return {**_entry_ref(entry, request, route), "names": _names_json(names), "record_count": count,
            "records": _records_link(request, parameter, entry.identifier, count)}


def _not_found(identifier: str) -> JsonResponse:
    """An entry without a public page, as one that does not exist."""
    return JsonResponse({"identifier": identifier, "status": "not_found"}, status=404, json_dumps_params=JSON_PARAMS)


def place_api_detail(request: HttpRequest, identifier: str) -> JsonResponse:
    # Queries: the place, its names, its records counted, the places above and below it, their names.
    place = Place.objects.with_public_page().prefetch_related("names").filter(identifier=identifier).first()
    if place is None:
        return _not_found(identifier)
    data = {"identifier": place.identifier, "kind": place.kind,
            **_entry_json(place, request, "place-detail", place.names.all(), "place", place_records(place))}
    # Only places with a page of their own: a place under this one that no published record is in is not named.
    around = Q(parent=place) | (Q(pk=place.parent_id) if place.parent_id else Q(pk__in=[]))
    relatives = list(Place.objects.with_public_page().filter(around).prefetch_related("names"))
    parent = next((other for other in relatives if other.pk == place.parent_id), None)
    language = get_language()
    children = sorted((other for other in relatives if other.parent_id == place.pk),
                      key=lambda other: (name_order_key(other.names.all(), language), other.identifier))
    data["parent"] = _entry_ref(parent, request, "place-detail") if parent else None
    data["children"] = [_entry_ref(other, request, "place-detail") for other in children]
    return JsonResponse(data, json_dumps_params=JSON_PARAMS)


def subject_api_detail(request: HttpRequest, identifier: str) -> JsonResponse:
    # Queries: the subject, its labels, its records counted.
    subject = Subject.objects.with_public_page().prefetch_related("labels").filter(identifier=identifier).first()
    if subject is None:
        return _not_found(identifier)
    return JsonResponse(_entry_json(subject, request, "subject-detail", subject.labels.all(), "subject",
                                    subject_records(subject)), json_dumps_params=JSON_PARAMS)


def _record_ref(record: Record, request: HttpRequest) -> dict[str, Any]:
    """A record by identifier, with the title its page is headed by, that page and its own answer."""
    label = record.display_label(get_language())
    return {
        "identifier": record.identifier,
        "title": label.text if label else "",
        "title_language": label.language if label else None,
        "link": request.build_absolute_uri(record.get_absolute_url()),
        "api": request.build_absolute_uri(reverse("collection_api:record-detail",
                                                  kwargs={"identifier": record.identifier})),
    }


def agent_api_detail(request: HttpRequest, identifier: str) -> JsonResponse:
    # Queries: the agent, its names, its records counted, the records it holds counted, the published association
    # record describing it (and that record's titles, when there is one).
    agent = Agent.objects.with_public_page().with_names().filter(identifier=identifier).first()
    if agent is None:
        return _not_found(identifier)
    data = {"identifier": agent.identifier, "kind": agent.kind,
            **_entry_json(agent, request, "agent-detail", agent.names.all(), "agent", agent_records(agent))}
    holdings = agent_holdings(agent).count()
    data["holdings_count"] = holdings
    data["holdings"] = _records_link(request, "repository", agent.identifier, holdings)
    # Not among the records counted: it describes the organisation, rather than naming it in a role.
    association = agent_association(agent)
    data["association_record"] = _record_ref(association, request) if association else None
    return JsonResponse(data, json_dumps_params=JSON_PARAMS)
