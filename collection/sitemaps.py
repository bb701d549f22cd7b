"""Sitemap of published records and of the places, subjects and agents they name, with hreflang alternates."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from .models import Agent, Place, Record, RecordAgent, RecordPlaceIndex, Subject


class _Localized(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000


class RecordSitemap(_Localized):
    def items(self) -> QuerySet[Record]:
        return Record.objects.published().order_by("pk").only("identifier", "modified")

    def lastmod(self, item: Record):
        return item.modified


class AgentSitemap(_Localized):
    def items(self) -> QuerySet[Agent]:
        public = Record.objects.published()
        linked = RecordAgent.objects.filter(record__in=public).values("agent_id")
        return Agent.objects.filter(pk__in=linked).order_by("pk").only("identifier")


class PlaceSitemap(_Localized):
    def items(self) -> QuerySet[Place]:
        linked = RecordPlaceIndex.objects.filter(record__in=Record.objects.published()).values("place_id")
        return Place.objects.filter(pk__in=linked).order_by("pk").only("identifier")


class SubjectSitemap(_Localized):
    def items(self) -> QuerySet[Subject]:
        linked = Record.subjects.through.objects.filter(record__in=Record.objects.published()).values("subject_id")
        return Subject.objects.filter(pk__in=linked).order_by("pk").only("identifier")


sitemaps = {"records": RecordSitemap, "agents": AgentSitemap, "places": PlaceSitemap, "subjects": SubjectSitemap}
