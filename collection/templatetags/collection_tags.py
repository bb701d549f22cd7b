"""Display helpers: names and titles in the page's language, with fallback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, pgettext

from ..conf import app_settings
from ..dates import edtf_in_words
from ..filters import MAX_QUERY_CHARS
from ..text import base_language, script_language
from ..text import language_name as name_of_language

register = template.Library()


@register.simple_tag
def site_name() -> str:
    """The public site's name in the active language (``COLLECTION_SITE_NAME``)."""
    configured = app_settings.SITE_NAME
    if isinstance(configured, Mapping):
        language = get_language() or "en"
        for code in (language, language.split("-")[0], "en"):
            if configured.get(code):
                return str(configured[code])
        configured = next(iter(configured.values()), None)
    return str(configured) if configured else gettext("Collection")


@register.simple_tag
def max_query_chars() -> int:
    """The longest search the filters take: the search boxes' ``maxlength``."""
    return MAX_QUERY_CHARS


@register.simple_tag
def title_of(record: Any, language: str | None = None) -> str:
    return record.display_title(language or get_language())


@register.simple_tag
def name_of(entry: Any, language: str | None = None) -> str:
    return entry.display_name(language or get_language())


@register.simple_tag
def label_of(entry: Any, language: str | None = None) -> Any:
    """The label a record's title or an authority's name shows (``text`` and ``language``), or ``None``:
    ``display_label``, the choice ``display_title`` and ``display_name`` show, so that the ``lang``
    attribute a page gives the text is the language of that very text."""
    return entry.display_label(language or get_language()) if entry is not None else None


def _tag_of(label: Any) -> str:
    if isinstance(label, str):
        return label
    return getattr(label, "language", "") or getattr(label, "lang", "") or ""


def _other_language(tag: str) -> str:
    """``tag`` if it is not the page's language (which ``<html lang>`` already says), else ``""``."""
    return tag if tag and tag.lower() != (get_language() or "").lower() else ""


@register.filter
def lang_attr(label: Any) -> str:
    """`` lang="…"`` for a label (or a BCP 47 tag) in another language than the page's, to put on the
    element showing its text; else nothing (the element inherits the page's ``lang``)."""
    tag = _other_language(_tag_of(label))
    return format_html(' lang="{}"', tag) if tag else ""


@register.filter
def letters_lang_attr(text: str) -> str:
    """`` lang="…"`` for a catalogued text whose language no field gives (a place of publication, an extent):
    the language its letters say (``script_language``: Cyrillic is read as Russian, kana and kanji as Japanese),
    nothing where that is the page's, and ``lang=""``, a language unknown, where the letters say nothing."""
    tag = script_language(text or "")
    if not tag:
        return mark_safe(' lang=""')
    tag = _other_language(tag)
    return format_html(' lang="{}"', tag) if tag else ""


@register.filter
def in_its_language(label: Any) -> str:
    """A label's text, in a ``<span lang="…">`` when it is in another language than the page's."""
    if label is None:
        return ""
    tag = _other_language(_tag_of(label))
    return format_html('<span lang="{}">{}</span>', tag, label.text) if tag else conditional_escape(label.text)


# --- languages by name ----------------------------------------------------------------------------


@register.simple_tag
def language_name(language: Any, base: bool = False) -> str:
    """A language (a ``Language`` or a BCP 47 tag) by name in the page's language, else its tag.

    ``base``: the language without its script (``ru-Latn`` -> Russian), where a label's form
    (romanization, reading) tells the script.
    """
    tag = getattr(language, "tag", language) or ""
    return name_of_language(base_language(tag) if base else tag)


@register.simple_tag
def date_of(record: Any) -> str:
    """A record's date for the public: its EDTF date in words in the page's language, else the wording given,
    else "undated"."""
    if record.date_edtf:
        return edtf_in_words(record.date_edtf)
    if record.date_display:
        return format_html('<span lang="">{}</span>', record.date_display)
    return gettext("undated")


@register.simple_tag
def agent_dates(agent: Any) -> str:
    """A person's life or an organisation's existence, as :func:`date_of` words a record's date; "" if not
    catalogued."""
    if agent.date_edtf:
        return edtf_in_words(agent.date_edtf)
    if agent.date_display:
        return format_html('<span lang="">{}</span>', agent.date_display)
    return ""


@register.simple_tag
def date_as_written(record: Any) -> str:
    """The archivist's wording of a record's date where :func:`date_of` shows the date in words instead.

    The wording is in no language the record says (昭和25年頃, "April 12, 1998"): it is marked as of an
    unknown language, so that it is not read as the page's.
    """
    if not (record.date_edtf and record.date_display) or record.date_display == edtf_in_words(record.date_edtf):
        return ""
    return format_html('<span lang="">{}</span>', record.date_display)


@register.simple_tag
def role_of(link: Any) -> str:
    """An agent's role in a record, in the page's language."""
    return str(link.get_role_display())


def _several_in_role(role: str) -> str:
    """The heading over several agents in one role: "publishers", «издатели»."""
    return {
        "author": pgettext("agents in one role", "authors"),
        "editor": pgettext("agents in one role", "editors"),
        "translator": pgettext("agents in one role", "translators"),
        "publisher": pgettext("agents in one role", "publishers"),
        "issuing_body": pgettext("agents in one role", "issuing bodies"),
        "subject": pgettext("agents in one role", "subjects"),
    }.get(role, "")


@register.simple_tag
def agents_by_role(record: Any) -> list[tuple[str, list[Any]]]:
    """A record's agents under one heading per role (role label, agents), in the order of first mention;
    a heading over several agents is in the plural."""
    groups: dict[str, tuple[Any, list[Any]]] = {}
    for link in record.agent_links.all():
        if link.role not in groups:
            groups[link.role] = (link, [])
        groups[link.role][1].append(link.agent)
    return [((_several_in_role(first.role) if len(agents) > 1 else "") or role_of(first), agents)
            for first, agents in groups.values()]


def _page_path(context: Any) -> str:
    """The current page's path and query: on the browse page, the state its own links carry (invalid filters
    dropped), on the page shown."""
    request = context["request"]
    state = context.get("state")
    if state is not None:
        state = state.copy()
        page = context.get("page_obj")
        if page is not None and page.number > 1:
            state["page"] = str(page.number)
        return request.path + (f"?{state.urlencode()}" if state else "")
    return request.get_full_path()


@register.simple_tag(takes_context=True)
def language_neutral_link(context: Any) -> str:
    """The current page's address without its language prefix, absolute, which sends a reader to the page in
    the language they prefer (``hreflang="x-default"``, as the sitemaps give it); "" where there is none."""
    request = context.get("request")
    prefix = f"/{get_language()}/"
    if request is None or context.get("preview_language_urls") or not request.path.startswith(prefix):
        return ""
    return request.build_absolute_uri("/" + _page_path(context)[len(prefix):])


@register.simple_tag(takes_context=True)
def language_links(context: Any) -> list[dict[str, Any]]:
    """The current page, with its filters, in each of the site's languages.

    A page outside the language-prefixed URLs (the admin's preview of a record) gives its own
    addresses in ``preview_language_urls`` (language code: URL).
    """
    from django.conf import settings
    from django.urls import reverse, translate_url
    from django.utils.http import url_has_allowed_host_and_scheme
    from django.utils.translation import get_language_info, override

    request = context.get("request")
    if request is None:
        return []
    path = _page_path(context)
    current = get_language()
    own_urls = context.get("preview_language_urls")
    links = []
    for code, _name in settings.LANGUAGES:
        url = own_urls[code] if own_urls else translate_url(path, code)
        if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            # An address the site does not know is linked as it came (a 404 page), and "/%2F/other.example/"
            # came as "///other.example/", which a browser follows to that host: the language's home instead.
            with override(code):
                url = reverse("collection:home")
        links.append({"code": code, "name": get_language_info(code)["name_local"], "url": url,
                      "absolute": request.build_absolute_uri(url), "current": code == current})
    return links


@register.simple_tag
def feed_link(params: Any = None, title: str = "", facet: str = "", value: str = "") -> str:
    """The ``<link rel="alternate">`` by which a feed reader finds the Atom feed of newly published records: of
    the browse page's filters (``params``, the state its links carry), or of one entry's (``facet`` and
    ``value``: ``place`` and its identifier), else of every record."""
    from django.http import QueryDict

    from ..feeds import record_feed_url

    if facet:
        params = QueryDict(mutable=True)
        params[facet] = value
    return format_html('<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
                       title or gettext("Newly published records"), record_feed_url(params))


@register.simple_tag
def original_title_of(record: Any) -> Any:
    """The record's original title (a label), shown beside a translated one."""
    from ..models import pick_label

    return pick_label(record.original_titles(), None)
