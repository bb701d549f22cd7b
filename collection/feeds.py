"""Atom feeds of newly published records, for researchers who follow the collection or one search of it.

``/<lang>/records.atom`` lists the records most recently published for the first time,
newest first (``COLLECTION_FEED_ENTRIES`` of them). It takes the browse page's filters,
read by the same ``RecordFilterSet`` with the same check of public values, so a reader
subscribes to a search by subscribing to the feed of its browse page; a filter that
cannot be used answers 400 as the page does. Every entry comes from
``Record.objects.published()``: a record withdrawn after publication leaves the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, rfc3339_date
from django.utils.translation import get_language, gettext
from django.utils.xmlutils import SimplerXMLGenerator

from .conf import app_settings
from .facets import browse_filterset
from .facets.summary import selection_summary
from .filters import RecordFilterSet
from .models import Record
from .models.records import AgentRole
from .templatetags.collection_tags import site_name
from .text import xml_text


def record_feed_url(params: QueryDict | None = None) -> str:
    """The feed of the records ``params`` filters (the browse page's parameters), in the active language; only
    the filters are carried, not the page's order or page number."""
    filters = QueryDict(mutable=True)
    for name in RecordFilterSet.base_filters:
        if params is not None and name in params:
            filters.setlist(name, params.getlist(name))
    url = reverse("collection:record-feed")
    return f"{url}?{filters.urlencode()}" if filters else url


@dataclass(frozen=True)
class FeedRequest:
    """One request for the feed: its filters, in the language of its address."""

    filterset: RecordFilterSet
    language: str
    # The filters as applied (a value no public record has is left out), encoded for the feed's own links.
    query: str
    feed_url: str  # absolute, with the filters: the feed's own address and its id


class _XMLSafeGenerator(SimplerXMLGenerator):
    """Writes a text without the characters XML cannot carry, where Django's generator refuses the whole feed:
    one title pasted with a control character, or one typed into a followed search, would otherwise make the
    feed fail for every reader."""

    def characters(self, content: str) -> None:
        super().characters(xml_text(content) if content else content)

    def startElement(self, name: str, attrs: dict[str, str]) -> None:
        super().startElement(name, {key: xml_text(value) for key, value in (attrs or {}).items()})


class RecordAtomFeed(Atom1Feed):
    """Atom, with every author of an entry, its summary as plain text (a description is not HTML), and the
    language of a title, a name or a summary that is not the feed's."""

    def write(self, outfile: Any, encoding: str) -> None:
        # As Atom1Feed.write, with the generator above.
        handler = _XMLSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def _lang(self, tag: str) -> dict[str, str]:
        return {"xml:lang": tag} if tag and tag.lower() != (self.feed["language"] or "").lower() else {}

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        handler.addQuickElement("title", item["title"], self._lang(item.get("title_language", "")))
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate"})
        if item["pubdate"] is not None:
            handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        if item["updateddate"] is not None:
            handler.addQuickElement("updated", rfc3339_date(item["updateddate"]))
        for name, tag in item.get("authors", ()):
            handler.startElement("author", self._lang(tag))
            handler.addQuickElement("name", name)
            handler.endElement("author")
        handler.addQuickElement("id", item["unique_id"])
        if item.get("summary"):
            handler.addQuickElement(
                "summary", item["summary"], {"type": "text", **self._lang(item.get("summary_language", ""))}
            )


class RecordFeed(Feed):
    """The records most recently published, newest first, filtered as the browse page filters."""

    feed_type = RecordAtomFeed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):  # as the browse page, which only reads
            return HttpResponseNotAllowed(["GET", "HEAD"])
        obj = self.get_object(request)
        if obj.filterset.errors:
            return self.refused(obj.filterset)
        feed = self.get_feed(obj, request)
        # No Last-Modified, which the base class derives from the newest entry: a withdrawal changes the feed
        # without changing that date, and a cache could keep the feed, withdrawn record and all, for a while by
        # heuristic. The feed is answered as the browse page is, to be asked again each time.
        response = HttpResponse(content_type=feed.content_type)
        feed.write(response, "utf-8")
        return response

    @staticmethod
    def refused(filterset: RecordFilterSet) -> HttpResponse:
        """A filter that cannot be used: 400, naming each under its label, as the browse page's notice does."""
        labels = {name: field.label for name, field in filterset.form.fields.items()}
        lines = [gettext("The feed was not made: some filters were not understood.")]
        lines += [
            f"{labels.get(name) or name}: {' '.join(messages)}" for name, messages in filterset.problems().items()
        ]
        return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedRequest:
        filterset = browse_filterset(request.GET)
        applied = QueryDict(mutable=True)
        if not filterset.errors:
            kept = filterset.kept_values()
            for name in filterset.form.fields:
                if name in request.GET:
                    applied.setlist(name, kept.get(name, request.GET.getlist(name)))
        query = applied.urlencode()
        feed_url = request.build_absolute_uri(reverse("collection:record-feed") + (f"?{query}" if query else ""))
        return FeedRequest(filterset, get_language(), query, feed_url)

    # --- the feed ---

    def title(self, obj: FeedRequest) -> str:
        # What the feed lists, in the words of its browse page's title (without the page): the search and the
        # values chosen, each as its facet names it.
        selection = selection_summary(obj.filterset, obj.language).selection()
        if not selection:
            return gettext("%(site)s: newly published records") % {"site": site_name()}
        return gettext("%(site)s: newly published records — %(filters)s") % {"site": site_name(), "filters": selection}

    def subtitle(self, obj: FeedRequest) -> str:
        return gettext("The records most recently published in the collection, newest first.")

    def link(self, obj: FeedRequest) -> str:
        url = reverse("collection:record-list")
        return f"{url}?{obj.query}" if obj.query else url

    def feed_url(self, obj: FeedRequest) -> str:
        return obj.feed_url

    def feed_guid(self, obj: FeedRequest) -> str:
        return obj.feed_url

    def author_name(self, obj: FeedRequest) -> str:
        return site_name()

    def items(self, obj: FeedRequest) -> list[Record]:
        # Five queries, whatever the number of entries: the records, their titles, agent links, agents' names
        # and descriptions.
        records = (obj.filterset.qs.published().newest_published_first().with_listing().with_last_change()
                   .prefetch_related("descriptions"))
        return list(records[: app_settings.FEED_ENTRIES])

    # --- an entry ---

    def item_title(self, item: Record) -> str:
        label = item.display_label(get_language())
        return label.text if label else item.identifier

    def item_link(self, item: Record) -> str:
        # Made absolute by the base class, and with no ``item_guid`` the entry's id too: the record's permanent
        # address, which never changes, as a reader's memory of what it has shown needs.
        return item.get_absolute_url()

    def item_pubdate(self, item: Record) -> Any:
        return item.first_published

    def item_updateddate(self, item: Record) -> Any:
        # The record's last change as the public sees it (records.last_change), public since it is published;
        # never before its publication.
        return max(item.last_change, item.first_published) if item.first_published else item.last_change

    def item_extra_kwargs(self, item: Record) -> dict[str, Any]:
        language = get_language()
        title = item.display_label(language)
        authors = []
        for link in item.agent_links.all():
            if link.role == AgentRole.AUTHOR:
                name = link.agent.display_label(language)
                if name:
                    authors.append((name.text, name.language))
        description = item.description_in(language)
        return {
            "title_language": title.language if title else "",
            "authors": authors,
            "summary": description.text if description else "",
            "summary_language": description.language if description else "",
        }
