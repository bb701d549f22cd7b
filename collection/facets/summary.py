"""What a browse page lists, in words: its search, the values chosen and its page, for its title and heading.

A researcher with several tabs, bookmarks or a history of browse pages tells them
apart by their titles. Every value named is one the page's filters applied
(``RecordFilterSet.active()``, which holds only values the public can see), by the
name its facet shows it by: nothing the facets do not show is named, and naming
costs no query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from ..filters import RecordFilterSet
from ..templatetags.collection_tags import in_its_language
from ..text import script_language
from . import Facet, FacetValue

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
        phrases = self._phrases(lambda name: name.text, str)
        return " · ".join(phrases) + " — " + records if phrases else records

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
    chosen: list[ChosenValues] = []
    for facet in facets:
        shown = _by_value(facet.values)
        names = [
            Name(shown[value].label, shown[value].lang)
            for value in facet.selected
            if value in shown and shown[value].label
        ]
        if not names:
            continue
        label = "" if facet.name == "has_scans" else facet.label
        if len(names) > ALL_NAMED:
            chosen.append(ChosenValues(label, names[:NAMED], len(names) - NAMED))
        else:
            chosen.append(ChosenValues(label, names))
    active = filterset.active()
    year_from, year_to = active.get("year_from"), active.get("year_to")
    if year_from is not None or year_to is not None:
        if year_to is None:
            years = pgettext("a range of years", "from %(year)s") % {"year": int(year_from)}
        elif year_from is None:
            years = pgettext("a range of years", "up to %(year)s") % {"year": int(year_to)}
        else:
            years = f"{int(year_from)}–{int(year_to)}"
        chosen.append(ChosenValues(gettext("Years"), [Name(years)]))
    return chosen


def browse_summary(
    filterset: RecordFilterSet, facets: list[Facet], query: str, number: int, pages: int
) -> BrowseSummary:
    """What the page lists, in words (see the module's docstring)."""
    return BrowseSummary(query, chosen_values(filterset, facets), number, pages)
