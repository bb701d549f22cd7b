"""``/api/records/``: the browse page's filters as JSON. Only published records."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import get_language

from ..models import Record
from ..tombstones import identifier_as_given, tombstone_for
from .browse import browse_context
from .record import public_record_queryset


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
    if full:
        data["languages"] = [language.tag for language in record.languages.all()]
        data["descriptions"] = {d.language: d.text for d in record.descriptions.all()}
        data["repository"] = record.repository.identifier if record.repository else None
        data["isbn"] = record.isbn
        # What the record's page shows besides: its bibliographic fields, as catalogued.
        for field in ("resource_type", "level", "sequence", "container_title", "volume", "issue", "pages",
                      "publication_place", "extent", "issn", "call_number", "url", "archived_url", "reference_fond",
                      "reference_opis", "reference_delo", "reference_folios"):
            data[field] = getattr(record, field)
        data["accessed"] = record.accessed.isoformat() if record.accessed else None
        parent = record.published_parent()  # an unpublished parent is not the public's to name
        data["parent"] = parent.identifier if parent else None
    return data


def record_api_list(request: HttpRequest) -> JsonResponse:
    context = browse_context(request.GET, get_language())
    problems = context["problems"]
    if context["refused"] or context["page_missing"]:
        # As the page: a parameter not understood is a 400, a page beyond the last a 404 (a client paging on
        # stops there); either with only what went wrong.
        return JsonResponse({"errors": problems}, status=400 if context["refused"] else 404,
                            json_dumps_params={"ensure_ascii": False})
    records = context["records"]
    prefetch_related_objects(records, "places__names", "subjects__labels")
    facets = {facet.name: facet.flat if facet.flat is not None else _facet_values(facet.values)
              for facet in context["facets"]}
    page = context["page_obj"]
    return JsonResponse({
        "count": context["paginator"].count,
        "page": page.number,
        "pages": context["paginator"].num_pages,
        "results": [record_json(record, request, get_language()) for record in records],
        "facets": facets,
        # What was given but not used while the rest applied (a value beside a filter's others, a sort not a
        # choice): reported as errors are.
        **({"errors": problems} if problems else {}),
    }, json_dumps_params={"ensure_ascii": False})


def _facet_values(values: list) -> dict[str, int]:
    flat: dict[str, int] = {}
    for value in values:
        flat[value.value] = value.count
        flat.update(_facet_values(value.children))
    return flat


def record_api_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    record = public_record_queryset().filter(identifier=identifier).first()
    if record is None:
        # As the record's page: a withdrawn or deleted record's public facts with 410, else 404.
        tombstone = tombstone_for(identifier)
        if tombstone is not None:
            return JsonResponse(tombstone.public_facts(), status=tombstone.status_code,
                                json_dumps_params={"ensure_ascii": False})
        if given := identifier_as_given(identifier):
            return redirect("collection_api:record-detail", identifier=given, permanent=True)
        return JsonResponse({"identifier": identifier, "status": "not_found"}, status=404)
    return JsonResponse(record_json(record, request, get_language(), full=True),
                        json_dumps_params={"ensure_ascii": False})
