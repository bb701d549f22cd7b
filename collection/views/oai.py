"""The OAI-PMH endpoint: the request's arguments in, ``collection.oai``'s XML out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import oai


@csrf_exempt  # harvesters POST their requests without a session
@require_http_methods(["GET", "POST"])
def oai_pmh(request: HttpRequest) -> HttpResponse:
    """Answer one OAI-PMH request, sent by GET or as a POSTed form (protocol section 3.1.1)."""
    arguments = request.POST if request.method == "POST" else request.GET
    repository = oai.Repository(
        base_url=request.build_absolute_uri(request.path),
        site_root=request.build_absolute_uri("/").rstrip("/"),
        identifier=oai.repository_identifier(request.get_host()),
        name=oai.repository_name(),
        admin_emails=oai.admin_emails(),
    )
    xml = oai.respond({name: arguments.getlist(name) for name in arguments}, repository)
    return HttpResponse(xml, content_type="text/xml; charset=utf-8")
