"""What a browse page lists, in words: its search, the values chosen and its page, for its title and heading.

A researcher with several tabs, bookmarks or a history of browse pages tells them
apart by their titles. Every value named is one the page's filters applied
(``RecordFilterSet.active()``, which holds only values the public can see), by the
name its facet shows it by: nothing the facets do not show is named, and naming
costs no query.

The feed of a browse page's records (``collection.feeds``) is titled with the same
words (:meth:`BrowseSummary.selection`), from :func:`selection_summary`, which counts
no facets: it names the values chosen as their facets would, reading the entries chosen only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from ..dates import edtf_in_words
from ..filters import FACET_NAMES, RecordFilterSet
from ..models import Agent, Place, Subject
from ..templatetags.collection_tags import in_its_language
from ..text import script_language
from . import FACET_LABELS, SELF_NAMED, Facet, FacetValue, value_name

# Facets whose values are catalogue entries, by identifier.
_ENTRY_FACETS: dict[str, type] = {"place": Place, "subject": Subject, "agent": Agent, "repository": Agent}
# A filter with more values chosen than this names its first ``NAMED`` and counts the others ("Chita, Taishet +2").
ALL_NAMED = 3
NAMED = 2


@dataclass(frozen=True)
class Name:
    """A value's name as its facet shows it, and the language of that name ("" for the page's)."""

    text: str
    language: str = ""


@dataclass
class ChosenValues:
    """One filter's chosen values: the filter's name ("" where the value names itself: "with scans"), the values
    named and how many more were chosen."""

    label: str
    names: list[Name]
    more: int = 0


@dataclass
class BrowseSummary:
    """A browse page's search (as typed), the values its filters applied, and its page number among ``pages``."""

    query: str
    chosen: list[ChosenValues] = field(default_factory=list)
    number: int = 1
    pages: int = 1

    def title(self) -> str:
        """The page's title: ``“抑留” · 場所: タイシェト — 資料 (3/12ページ)``; "Records" for the plain list."""
        records = (
            gettext("Records")
            if self.number <= 1
            else gettext("Records (page %(number)s of %(total)s)") % {"number": self.number, "total": self.pages}
        )
        selection = self.selection()
        return selection + " — " + records if selection else records

    def selection(self) -> str:
        """The search and the values chosen, as plain text (``“抑留” · 場所: タイシェト``); "" for none. The page's
        title and the title of its feed both say what they list with these words."""
        return " · ".join(self._phrases(lambda name: name.text, str))

    def html(self) -> SafeString:
        """The line under the page's heading: the search and the values chosen, each name marked with its
        language where it is not the page's, and the page beyond the first; "" for the plain list."""
        phrases = self._phrases(in_its_language, conditional_escape)
        if self.number > 1:
            phrases.append(
                conditional_escape(
                    gettext("Page %(number)s of %(total)s") % {"number": self.number, "total": self.pages}
                )
            )
        return mark_safe(" · ".join(phrases))  # every part was escaped above

    def query_html(self) -> str:
        """The search as typed, escaped, and marked with the language its letters say (``script_language``) where
        that is not the page's."""
        return in_its_language(self._query_name())

    def _query_name(self) -> Name:
        return Name(self.query, script_language(self.query))

    def _phrases(self, mark: Callable[[Name], str], escape: Callable[[str], str]) -> list[str]:
        def fill(template: str, **parts: str) -> str:
            return escape(template) % parts

        phrases: list[str] = []
        if self.query:
            phrases.append(fill(gettext("“%(words)s”"), words=mark(self._query_name())))
        for chosen in self.chosen:
            named = escape(pgettext("between the values chosen in a filter", ", ")).join(
                mark(name) for name in chosen.names
            )
            if chosen.more:
                named = fill(gettext("%(names)s +%(more)s"), names=named, more=str(chosen.more))
            phrases.append(
                fill(gettext("%(filter)s: %(values)s"), filter=escape(chosen.label), values=named)
                if chosen.label
                else named
            )
        return phrases


def _by_value(values: Iterable[FacetValue]) -> dict[str, FacetValue]:
    """A facet's values by value, the places under a region included."""
    found: dict[str, FacetValue] = {}
    for value in values:
        found[value.value] = value
        found.update(_by_value(value.children))
    return found


def chosen_values(filterset: RecordFilterSet, facets: list[Facet]) -> list[ChosenValues]:
    """The values each facet applies, by their names in the facet, in the order chosen; then the years."""
    shown = {facet.name: _by_value(facet.values) for facet in facets}
    names: dict[str, dict[str, Name]] = {
        name: {value: Name(item.label, item.lang) for value, item in values.items() if item.label}
        for name, values in shown.items()
    }
    return _chosen(filterset, names)


def _named_values(filterset: RecordFilterSet, language: str) -> dict[str, dict[str, Name]]:
    """The values ``filterset`` applies, by facet, named as the facets name them (``build_facets``), for what shows
    no facets: the entries chosen are read, not counted, and the other values named by ``value_name``. Two queries
    for each kind of entry chosen (places, subjects, agents: the entries and their names), none for the others.
    The filter set applies only values some published record has, so no entry only drafts name is named here."""
    chosen = {name: filterset.selected(name) for name in FACET_NAMES}
    named: dict[str, dict[str, Name]] = {}
    by_model: dict[type, list[str]] = {}
    for name, model in _ENTRY_FACETS.items():
        by_model.setdefault(model, []).extend(chosen[name])
    entries: dict[type, dict[str, Any]] = {}
    for model, identifiers in by_model.items():
        if identifiers:
            names_of = "labels" if model is Subject else "names"
            entries[model] = {entry.identifier: entry for entry in model.objects.filter(
                identifier__in=identifiers).prefetch_related(names_of)}
    for name, model in _ENTRY_FACETS.items():
        named[name] = {}
        for identifier in chosen[name]:
            entry = entries.get(model, {}).get(identifier)
            label = entry.display_label(language) if entry is not None else None
            if label is not None and label.text:
                named[name][identifier] = Name(label.text, label.language)
    for name in SELF_NAMED:
        named[name] = {value: Name(text) for value in chosen[name] if (text := value_name(name, value, language))}
    return named


def _chosen(filterset: RecordFilterSet, names: dict[str, dict[str, Name]]) -> list[ChosenValues]:
    """Each facet's values chosen, by ``names`` (facet -> value -> its name; a value without one goes unnamed),
    in the facets' order and the order chosen; then the years."""
    chosen: list[ChosenValues] = []
    for facet in FACET_NAMES:
        named = [names[facet][value] for value in filterset.selected(facet) if value in names.get(facet, {})]
        if not named:
            continue
        label = "" if facet == "has_scans" else str(FACET_LABELS[facet])
        if len(named) > ALL_NAMED:
            chosen.append(ChosenValues(label, named[:NAMED], len(named) - NAMED))
        else:
            chosen.append(ChosenValues(label, named))
    active = filterset.active()
    year_from, year_to = active.get("year_from"), active.get("year_to")
    if year_from is not None or year_to is not None:
        if year_to is None:
            years = pgettext("a range of years", "from %(year)s") % {"year": int(year_from)}
        elif year_from is None:
            years = pgettext("a range of years", "up to %(year)s") % {"year": int(year_to)}
        else:
            # As a record's dates are written: 1947–1949, 1947年～1949年; one year alone when both ends are one.
            start, end = f"{int(year_from):04d}", f"{int(year_to):04d}"
            years = edtf_in_words(start if start == end else f"{start}/{end}")
        chosen.append(ChosenValues(gettext("Years"), [Name(years)]))
    return chosen


def browse_summary(
    filterset: RecordFilterSet, facets: list[Facet], query: str, number: int, pages: int
) -> BrowseSummary:
    """What the page lists, in words (see the module's docstring)."""
    return BrowseSummary(query, chosen_values(filterset, facets), number, pages)


def selection_summary(filterset: RecordFilterSet, language: str) -> BrowseSummary:
    """What ``filterset`` selects, in the words of the browse page, for what lists its records without facets
    (the feed): no facet is counted, and naming the values costs two queries for each kind of entry chosen."""
    query = (filterset.active().get("q") or "").strip()
    return BrowseSummary(query, _chosen(filterset, _named_values(filterset, language)))
