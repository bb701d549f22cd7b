"""Every public filter of records, in one django-filter FilterSet.

Values within a facet combine with OR (``?kind=memoir&kind=document``), facets
with AND. The browse page, the home page and the JSON API all filter through
:class:`RecordFilterSet`; facet counts come from :meth:`RecordFilterSet.queryset_without`,
which applies every active filter except the facet's own.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import Record, RecordAgent, RecordKind, RecordPlaceIndex
from .models.records import dated_between, decade_condition
from .search import (
    MAX_WORDS,
    has_operators,
    search_condition,
    searches_nothing,
    without_operators,
    words_not_searched,
)

MAX_VALUES = 30
# The longest search, in characters: far beyond the words searched (``collection.search.MAX_WORDS``), and short
# enough that the page, which carries the search in every link, stays small.
MAX_QUERY_CHARS = 200
UNDATED = "undated"
FACET_NAMES = ("kind", "language", "decade", "place", "subject", "agent", "repository", "has_scans")
# Filters naming catalogue entries (languages by tag): a value is one the public can see, some published record's.
PUBLIC_VALUE_FILTERS = ("language", "place", "subject", "agent", "repository")

# Refused in every parameter, as Django's CharField refuses it in ``q``: a NUL would otherwise be carried into
# the page's links and hidden inputs. Django's own message, named here so that this app's catalogue carries
# it: its Japanese translation in Django asks for "some characters", which is not the problem.
refuse_null = ProhibitNullCharactersValidator(message=_("Null characters are not allowed."))


def not_a_choice(value: str) -> forms.ValidationError:
    return forms.ValidationError(_("“%(value)s” is not one of the choices."), code="invalid_choice",
                                 params={"value": value})


class ValuesField(forms.Field):
    """A repeated query parameter: ``?place=a&place=b`` -> ``["a", "b"]``."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        cleaned: dict[str, None] = {}
        for item in value:
            item = str(item)
            refuse_null(item)
            item = item.strip()
            if item:
                cleaned.setdefault(item, None)
        if len(cleaned) > MAX_VALUES:
            raise forms.ValidationError(_("Choose at most %(max)d values."), params={"max": MAX_VALUES})
        return list(cleaned)

    def not_a_choice(self, value: str) -> forms.ValidationError:
        return not_a_choice(value)


class ValuesFilter(django_filters.Filter):
    field_class = ValuesField


class Chosen(list[str]):
    """A filter's values that are among its choices (or public values); ``ignored`` holds the others given
    with them."""

    def __init__(self, values: Iterable[str] = (), ignored: Iterable[str] = ()) -> None:
        super().__init__(values)
        self.ignored = list(ignored)


class ChoicesField(ValuesField):
    """Values out of a fixed set, each checked on its own.

    A value that is not a choice (a kind an old bookmark names, a decade a damaged
    link mangled) is left out, and the others still apply: the researcher sees
    what they chose, not every record. With no value a choice, the filter is an
    error like any other and does not apply.
    """

    def __init__(self, *args: Any, allowed: Any = (), **kwargs: Any) -> None:
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Chosen:
        values = super().clean(value)
        allowed = set(self.allowed() if callable(self.allowed) else self.allowed)
        chosen = Chosen([item for item in values if item in allowed], [item for item in values if item not in allowed])
        if chosen.ignored and not chosen:
            raise forms.ValidationError([self.not_a_choice(item) for item in chosen.ignored])
        return chosen


class ChoicesFilter(ValuesFilter):
    field_class = ChoicesField


def _decade_values() -> list[str]:
    return [UNDATED, *[str(year) for year in range(0, 3000, 10)]]


class YearField(forms.IntegerField):
    def to_python(self, value: Any) -> int | None:
        if value is not None:
            refuse_null(value)
        return super().to_python(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        # The years form shows back a year it could not use, to be corrected; not one holding a NUL.
        if data is not None and "\x00" in str(data):
            return initial
        return super().bound_data(data, initial)


class YearFilter(django_filters.NumberFilter):
    """A year: a whole number (``1950.5`` is refused, not read as 1950)."""

    field_class = YearField


class YesField(forms.Field):
    def to_python(self, value: Any) -> bool:
        if value is not None:
            refuse_null(value)
        return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


class YesFilter(django_filters.Filter):
    field_class = YesField


class PublicValues(Protocol):
    """Which of the values given to each of ``PUBLIC_VALUE_FILTERS`` the public can see, by filter."""

    def __call__(self, wanted: Mapping[str, list[str]], using: str) -> Mapping[str, Collection[str]]: ...


def _naming_rows(name: str, using: str = "default") -> tuple[QuerySet[Any], str]:
    """The rows linking records to the entries filter ``name`` names, and the field naming an entry in them:
    what the filter selects records by, and what tells which values some published record has."""
    if name == "repository":
        return Record.objects.using(using), "repository__identifier"
    model, naming = {
        "language": (Record.languages.through, "language__tag"),
        "place": (RecordPlaceIndex, "place__identifier"),  # a region counts the records of the places in it
        "subject": (Record.subjects.through, "subject__identifier"),
        "agent": (RecordAgent, "agent__identifier"),
    }[name]
    return model.objects.using(using), naming


def published_values(wanted: Mapping[str, list[str]], using: str) -> dict[str, set[str]]:
    """The values of each filter that some published record has: one query per filter given values.

    The browse page and the API ask the facet index instead (``collection.facets.IndexedValues``),
    which holds the same values and costs no query of its own.
    """
    published = Record.objects.using(using).published()
    found: dict[str, set[str]] = {}
    for name, values in wanted.items():
        rows, naming = _naming_rows(name, using)
        rows = published if name == "repository" else rows.filter(record__in=published)
        found[name] = set(rows.filter(**{f"{naming}__in": values}).order_by().values_list(
            naming, flat=True).distinct())
    return found


class RecordFilterForm(forms.Form):
    """The filters' form: each value checked by its field, then the year range and the public values as a whole.

    ``public_values`` and ``using`` are set by the filter set (``RecordFilterSet.form``).
    """

    public_values: PublicValues | None = None
    using = "default"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._keep_public_values(cleaned)
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_to < year_from:
            # An empty range is a mistake, not a search: said by both fields' labels, and neither applied.
            self.add_error("year_to", forms.ValidationError(
                _("“%(to)s” (%(year_to)s) is earlier than “%(from)s” (%(year_from)s)."),
                code="year_range",
                params={"to": self.fields["year_to"].label, "year_to": int(year_to),
                        "from": self.fields["year_from"].label, "year_from": int(year_from)},
            ))
            cleaned.pop("year_from", None)
        return cleaned

    def _keep_public_values(self, cleaned: dict[str, Any]) -> None:
        """Leave out the values no published record has, as a choices filter leaves out what is not a choice.

        An entry only unpublished records use is told apart from no entry at all in nothing (message,
        status, counts): the page must not tell that a draft names it.
        """
        wanted = {name: list(cleaned[name]) for name in PUBLIC_VALUE_FILTERS if cleaned.get(name)}
        if not wanted:
            return
        public = (self.public_values or published_values)(wanted, self.using)
        for name, values in wanted.items():
            known = public.get(name, ())
            chosen = Chosen([value for value in values if value in known], [value for value in values
                                                                            if value not in known])
            if chosen.ignored and not chosen:
                self.add_error(name, [self.fields[name].not_a_choice(value) for value in chosen.ignored])
            else:
                cleaned[name] = chosen


class RecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=pgettext_lazy("filter", "Search"),
                                  max_length=MAX_QUERY_CHARS)
    kind = ChoicesFilter(method="filter_kind", label=_("Kind"), allowed=RecordKind.values)
    language = ValuesFilter(method="filter_language", label=_("Language of the material"))
    decade = ChoicesFilter(method="filter_decade", label=_("Decade"), allowed=_decade_values)
    year_from = YearFilter(method="filter_year_from", label=_("From year"), min_value=0, max_value=3000)
    year_to = YearFilter(method="filter_year_to", label=_("To year"), min_value=0, max_value=3000)
    place = ValuesFilter(method="filter_place", label=_("Place"))
    subject = ValuesFilter(method="filter_subject", label=_("Subject"))
    agent = ValuesFilter(method="filter_agent", label=_("Person or organisation"))
    repository = ValuesFilter(method="filter_repository", label=_("Repository"))
    has_scans = YesFilter(method="filter_has_scans", label=_("Has scans"))

    class Meta:
        model = Record
        fields: list[str] = []
        form = RecordFilterForm

    def __init__(self, data: Any = None, queryset: QuerySet[Record] | None = None, *,
                 public_values: PublicValues | None = None, **kwargs: Any) -> None:
        """``public_values`` tells which identifiers the public can see (by default ``published_values``)."""
        super().__init__(data, queryset=Record.objects.published() if queryset is None else queryset, **kwargs)
        self.public_values = public_values or published_values

    @property
    def form(self) -> RecordFilterForm:
        if not hasattr(self, "_form"):
            form = super().form
            form.public_values = self.public_values
            form.using = self.queryset.db
        return self._form

    # --- the filters ---

    def filter_q(self, qs: QuerySet[Record], name: str, value: str) -> QuerySet[Record]:
        condition = search_condition(value)
        return qs if condition is None else qs.filter(condition)

    def filter_kind(self, qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        return qs.filter(kind__in=value) if value else qs

    def filter_language(self, qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        return self._naming_any(qs, name, value)

    def filter_decade(self, qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        if not value:
            return qs
        this_year = datetime.date.today().year
        condition = Q(pk__in=[])
        for item in value:
            if item == UNDATED:
                condition |= Q(year_start__isnull=True, year_end__isnull=True)
            else:
                condition |= decade_condition(int(item), this_year)
        return qs.filter(condition)

    def filter_year_from(self, qs: QuerySet[Record], name: str, value: Any) -> QuerySet[Record]:
        return qs if value is None else qs.filter(dated_between(int(value), None))

    def filter_year_to(self, qs: QuerySet[Record], name: str, value: Any) -> QuerySet[Record]:
        return qs if value is None else qs.filter(dated_between(None, int(value)))

    def filter_place(self, qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        return self._naming_any(qs, name, value)

    def filter_subject(self, qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        return self._naming_any(qs, name, value)

    def filter_agent(self, qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        return self._naming_any(qs, name, value)

    def filter_repository(self, qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        return qs.filter(repository__identifier__in=value) if value else qs

    @staticmethod
    def _naming_any(qs: QuerySet[Record], name: str, value: list[str]) -> QuerySet[Record]:
        """The records whose rows of filter ``name`` name any of ``value``."""
        if not value:
            return qs
        rows, naming = _naming_rows(name, qs.db)
        return qs.filter(pk__in=rows.filter(**{f"{naming}__in": value}).values("record_id"))

    def filter_has_scans(self, qs: QuerySet[Record], name: str, value: bool) -> QuerySet[Record]:
        return qs.with_public_scans() if value else qs

    # --- used by facets ---

    def active(self) -> dict[str, Any]:
        """The valid, non-empty filter values."""
        data = self.form.cleaned_data if self.form.is_valid() else {
            k: v for k, v in getattr(self.form, "cleaned_data", {}).items() if k not in self.form.errors
        }
        return {name: value for name, value in data.items() if value not in (None, "", [], False)}

    def queryset_without(self, facet: str | None) -> QuerySet[Record]:
        """The records matching every active filter except ``facet``'s own."""
        qs = self.queryset.all()
        for name, value in self.active().items():
            if name != facet:
                qs = self.filters[name].filter(qs, value)
        return qs

    def rejected(self) -> list[str]:
        """The filters given but not applied (not understood, or contradicting another): their parameters.

        A filter applied without some of its values is not one of them: see ``ignored()`` and ``kept_values()``.
        """
        if not self.is_bound:
            return []
        self.form.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return [name for name in self.form.fields if name not in cleaned or name in self.form.errors]

    def ignored(self) -> dict[str, list[str]]:
        """The values left out of filters that apply with their other values, by parameter: not a choice
        (``ChoicesField``), or no entry the public can see (``RecordFilterForm``)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return {name: list(value.ignored) for name, value in cleaned.items() if getattr(value, "ignored", None)}

    def kept_values(self) -> dict[str, list[str]]:
        """The values applied of each parameter that ``ignored()`` names: what links carry on in its place."""
        ignored = self.ignored()  # validates the form first
        return {name: list(self.form.cleaned_data[name]) for name in ignored}

    def words_left_out(self) -> dict[str, list[str]]:
        """The search's notices, by parameter: it looked for nothing, as the query holds no word; it left out the
        operators of other search engines (``has_operators``), or the words beyond its first ``MAX_WORDS``."""
        query = self.active().get("q")
        if query and searches_nothing(query):
            return {"q": [gettext("“%(query)s” has no letters or digits to search for, and was left out.")
                          % {"query": query}]}
        if not query:
            return {}
        notices = []
        if has_operators(query):
            notice = gettext("Search operators (OR, NOT, a minus, quotation marks) are not understood: the records "
                             "found hold every word of “%(words)s”.")
            notices.append(notice % {"words": without_operators(query)})
        if words_not_searched(query):
            notice = ngettext("Only the first %(max)d word was searched.",
                              "Only the first %(max)d words were searched.", MAX_WORDS)
            notices.append(notice % {"max": MAX_WORDS})
        return {"q": notices} if notices else {}

    def problems(self) -> dict[str, list[str]]:
        """Everything given but not used, by parameter, in the form's order: the messages of the filters not
        applied (``rejected()``), of the values left out of the others (``ignored()``) and of the words a search
        left out (``words_left_out()``)."""
        errors = self.form.errors
        ignored = self.ignored()
        words_left_out = self.words_left_out()
        fields = self.form.fields
        problems: dict[str, list[str]] = {}
        for name in (*fields, *(name for name in errors if name not in fields)):
            messages = [str(message) for message in errors.get(name, [])]
            messages += [message for value in ignored.get(name, []) for message in fields[name].not_a_choice(value)]
            messages += words_left_out.get(name, [])
            if messages:
                problems[name] = messages
        return problems

    def selected(self, facet: str) -> list[str]:
        value = self.active().get(facet)
        if value is None:
            return []
        if isinstance(value, bool):
            return ["1"] if value else []
        return list(value) if isinstance(value, list) else [str(value)]
