"""Sitemap of published records and of the places, subjects and agents they name, hold or describe, with hreflang
alternates."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from .models import Agent, Place, Record, Subject


class _Localized(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000


class RecordSitemap(_Localized):
    def items(self) -> QuerySet[Record]:
        return Record.objects.published().with_last_change().order_by("pk").only("identifier")

    def lastmod(self, item: Record):
        # Renaming an agent, place or subject the page names changes it, and so does a change to its published
        # parent's title.
        return item.last_change


class AgentSitemap(_Localized):
    # The authorities whose pages answer 200: the same definition as the pages themselves.
    def items(self) -> QuerySet[Agent]:
        return Agent.objects.with_public_page().order_by("pk").only("identifier")


class PlaceSitemap(_Localized):
    def items(self) -> QuerySet[Place]:
        return Place.objects.with_public_page().order_by("pk").only("identifier")


class SubjectSitemap(_Localized):
    def items(self) -> QuerySet[Subject]:
        return Subject.objects.with_public_page().order_by("pk").only("identifier")


sitemaps = {"records": RecordSitemap, "agents": AgentSitemap, "places": PlaceSitemap, "subjects": SubjectSitemap}
