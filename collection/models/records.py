"""Catalogue records (memoirs, documents, associations) and their titles."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, Lower
from django.db.models.sql import UpdateQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import reasons
from ..concurrency import VersionedModel
from ..conf import app_settings
from ..dates import decades_between, parse_edtf_bounds
from ..fields import HttpURLField, NFCCharField, NFCTextField
from ..text import base_language
from ..validators import isbn_forms, validate_edtf, validate_isbn, validate_issn, validate_language_tag
from .agents import Agent, AgentKind
from .history import change_history
from .identifiers import IdentifiedModel
from .labels import DERIVED_FORMS, Label, LabelForm, pick_label
from .places import Place
from .subjects import Language, Subject


class RecordKind(models.TextChoices):
    MEMOIR = "memoir", _("memoir")
    DOCUMENT = "document", _("document")
    ASSOCIATION = "association", _("association")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEW = "review", _("in review")
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class LevelOfDescription(models.TextChoices):
    """ISAD(G) levels, plus volume for multi-volume works."""

    COLLECTION = "collection", _("collection")
    FONDS = "fonds", _("fonds")
    SERIES = "series", _("series")
    FILE = "file", _("file")
    VOLUME = "volume", _("volume")
    ITEM = "item", _("item")


class ResourceType(models.TextChoices):
    BOOK = "book", _("book")
    BOOK_SECTION = "book-section", _("book section")
    JOURNAL_ARTICLE = "journal-article", _("journal article")
    MAGAZINE_ARTICLE = "magazine-article", _("magazine article")
    NEWSPAPER_ARTICLE = "newspaper-article", _("newspaper article")
    NEWS_ITEM = "news-item", _("news item (broadcast or online)")
    PRESS_RELEASE = "press-release", _("press release")
    DECREE = "decree", _("decree or law")
    ARCHIVAL_DOCUMENT = "archival-document", _("archival document")
    ARCHIVAL_FILE = "archival-file", _("archival file")
    MANUSCRIPT = "manuscript", _("manuscript")
    THESIS = "thesis", _("thesis")
    REPORT = "report", _("report")
    WEB_RESOURCE = "web-resource", _("web resource")
    ORGANISATION = "organisation", _("organisation")


class AgentRole(models.TextChoices):
    AUTHOR = "author", _("author")
    EDITOR = "editor", _("editor")
    TRANSLATOR = "translator", _("translator")
    PUBLISHER = "publisher", _("publisher")
    ISSUING_BODY = "issuing_body", _("issuing body")
    # Not the subject heading (件名, предметная рубрика) that shares the word: a person or body a record is about.
    SUBJECT = "subject", pgettext_lazy("agent role", "subject")


def date_bounds(date_edtf: str) -> tuple[datetime.date | None, datetime.date | None, int | None, int | None]:
    """A record's ``date_start``, ``date_end``, ``year_start`` and ``year_end`` from its EDTF date.

    A blank date, or one that is not EDTF, has none. The model and the import's bulk
    path both derive them here, so a record has the same bounds whichever wrote it.
    """
    try:
        bounds = parse_edtf_bounds(date_edtf)
    except ValidationError:
        return None, None, None, None
    return bounds.start, bounds.end, bounds.year_start, bounds.year_end


def decade_condition(decade: int, this_year: int) -> Q:
    """Records whose year range overlaps the decade, as ``collection.dates.decades_between`` has them.

    An open end runs to this year (or stays at the start, when that is later); an
    open start counts from the end's year only, so the filter lists exactly the
    records the decade's count counts.
    """
    starts_before_end = Q(year_start__lte=decade + 9) | Q(year_start__isnull=True, year_end__lte=decade + 9)
    open_end = Q(year_end__isnull=True) & (Q(year_start__isnull=False) if decade <= this_year else Q(
        year_start__gte=decade))
    return starts_before_end & (Q(year_end__gte=decade) | open_end)


def dated_between(year_from: int | None, year_to: int | None, prefix: str = "") -> Q:
    """Records whose year range reaches into ``year_from``..``year_to`` (either may be open): the years filters.

    An open end runs on and an open start runs back, as a reader of "1984/.." or
    "../1950" takes them: the first is in 2000, the second in 1945. A search word
    that is a year finds the records both ends of which are that year
    (``collection.search.search_condition``); ``prefix`` leads to the record.
    """
    start, end = f"{prefix}year_start", f"{prefix}year_end"
    condition = Q()
    if year_from is not None:
        condition &= Q(**{f"{end}__gte": year_from}) | Q(**{f"{end}__isnull": True, f"{start}__isnull": False})
    if year_to is not None:
        condition &= Q(**{f"{start}__lte": year_to}) | Q(**{f"{start}__isnull": True, f"{end}__isnull": False})
    return condition


def last_change(record: str = "") -> models.Expression:
    """When a record last changed as the public sees it: its own last change (``modified``, which every save,
    publication and import bumps, and a change to the names of an agent, place or subject it names:
    :func:`collection.search.refresh_records_naming`) or, if later, that of the published record it is part of,
    whose title its citation gives. ``record`` is the path to the record from the query's model (``"record"``
    from a reservation), ``""`` on records."""
    path = f"{record}__" if record else ""
    own = models.F(f"{path}modified")
    parent_public = Exists(Record.objects.published().filter(pk=OuterRef(f"{path}parent_id")))
    # A parent no longer public changed the part's page and Dublin Core when it left (they stop giving its
    # title); what becomes of it since is not the public's to see.
    parent_changed = models.Case(
        models.When(parent_public, then=models.F(f"{path}parent__modified")),
        models.When(**{f"{path}parent_id__isnull": False}, then=left_publication_at(OuterRef(f"{path}parent_id"))))
    # Coalesced, as SQLite's max() of a null is null where PostgreSQL's greatest() skips it.
    return Greatest(own, Coalesce(parent_changed, own), output_field=models.DateTimeField())


def left_publication_at(record: OuterRef) -> Subquery:
    """When ``record`` (a reference to a record's key) last stopped being published: the first change of its
    history after the last in which it was (see :meth:`ReservedIdentifierQuerySet.left_publication`); none for
    a record published now or never."""
    record_history = Record.history.model
    last_published = record_history.objects.filter(id=OuterRef("id"), status=Status.PUBLISHED).order_by(
        "-history_id").values("history_id")[:1]
    return Subquery(record_history.objects.filter(id=record, history_id__gt=Subquery(last_published)).order_by(
        "history_id").values("history_date")[:1])


class RecordQuerySet(models.QuerySet):
    def published(self) -> RecordQuerySet:
        """Records the public may see. Every public path starts here."""
        return self.filter(status=Status.PUBLISHED)

    def with_last_change(self) -> RecordQuerySet:
        """Annotated with ``last_change`` (see :func:`last_change`)."""
        return self.annotate(last_change=last_change())

    def of_kind(self, *kinds: str) -> RecordQuerySet:
        """Records of any of the given kinds (memoir, document, association)."""
        return self.filter(kind__in=kinds)

    def naming_agents(self, agents: Iterable[Any]) -> RecordQuerySet:
        """Records that name any of ``agents`` (agents or their keys): in a role, as their repository, or as the
        organisation they describe; each once."""
        agents = list(agents)
        return self.filter(Q(agent_links__agent__in=agents) | Q(repository__in=agents)
                           | Q(described_agent__in=agents)).distinct()

    def in_place(self, place: Place) -> RecordQuerySet:
        """Records about the place or anywhere below it (a krai includes its cities and camps)."""
        inside = Record.places.through.objects.filter(
            record_id=OuterRef("pk"), place__path__startswith=place.path
        )
        return self.filter(Exists(inside))

    def in_decade(self, decade: int, *, today: datetime.date | None = None) -> RecordQuerySet:
        """Records whose date range overlaps the decade, as the decade facet counts them."""
        return self.filter(decade_condition(decade, (today or datetime.date.today()).year))

    def undated(self) -> RecordQuerySet:
        """Records with no date: “undated” is a value of its own, not a gap."""
        return self.filter(date_edtf="")

    def with_public_scans(self) -> RecordQuerySet:
        """Records with at least one public image (the "has scans" facet); chain after ``published()``."""
        from .images import RecordImage, Visibility

        return self.filter(Exists(RecordImage.objects.filter(record_id=OuterRef("pk"), visibility=Visibility.PUBLIC)))

    def newest_published_first(self) -> RecordQuerySet:
        """The records with a first publication, the most recent first (ties by id, the later first): what a
        feed of new records lists. Chain after ``published()``: the index of status and first publication then
        serves the order, and the newest are read off it without sorting the catalogue.

        Every published record has the date (every path that publishes sets it, and the migration that added
        it dated the records before from their history); leaving out any without one lets the order be a plain
        descending one, which both databases read off the same index (a descending order puts nulls first on
        PostgreSQL and last on SQLite, and SQLite takes no “nulls last” in an index)."""
        return self.filter(first_published__isnull=False).order_by("-first_published", "-pk")

    def awaiting_review_by(self, user: Any) -> RecordQuerySet:
        """Records under review that ``user`` may decide on (see ``collection.workflow``)."""
        from ..workflow import awaiting_review_by

        return awaiting_review_by(user, self)

    def in_title_order(self, language: str = "") -> RecordQuerySet:
        """Sorted as pages in ``language`` sort by title: the order of the titles they show (a cataloguing
        language, see ``collection.search.title_order_language``), or of the original titles (``""``).
        Records without a key in that order come last, as in the facet index."""
        from .search import RecordTitleOrder

        if not language:
            return self.order_by("search__title_key", "pk")
        key = RecordTitleOrder.objects.filter(record=OuterRef("pk"), language=language).values("title_key")[:1]
        return self.annotate(title_order_key=Subquery(key)).order_by(
            models.F("title_order_key").asc(nulls_last=True), "pk")

    def with_published_parent(self) -> RecordQuerySet:
        """Prefetch each record's :meth:`Record.published_parent` with its titles (pages and citations name it)."""
        return self.prefetch_related(models.Prefetch(
            "parent", queryset=Record.objects.published().prefetch_related("titles"), to_attr="_published_parent"))

    def with_described_agent(self) -> RecordQuerySet:
        """Join the organisation an association record describes and prefetch its names (its page shows them)."""
        return self.select_related("described_agent").prefetch_related("described_agent__names")

    def with_listing(self) -> RecordQuerySet:
        """Prefetch what a list of records shows: titles and agents with their names."""
        return self.prefetch_related(
            "titles",
            models.Prefetch(
                "agent_links",
                queryset=RecordAgent.objects.select_related("agent").prefetch_related("agent__names"),
            ),
        )

    def restamp(self) -> int:
        """Store anew the datestamps harvesters know these records by (:meth:`ReservedIdentifierQuerySet.restamp`),
        and those of the published records that are part of them, whose Dublin Core gives their title; returns
        how many reservations were written. What every path that writes a record calls once the record and its
        history are written: :meth:`Record.save`, a deletion, an import, and the changes that move records'
        ``modified`` in bulk (``collection.search.refresh_records_naming``)."""
        return self.reservations_to_restamp().restamp()

    def reservations_to_restamp(self) -> ReservedIdentifierQuerySet:
        """The reservations :meth:`restamp` stores anew: those of these records and of their parts."""
        records = self.values("pk")
        # The records and their parts, each found by its own index (by key, by parent): a part not published
        # keeps its datestamp, as it would without its parent.
        restamped = Record._base_manager.filter(Q(pk__in=records) | Q(parent__in=records)).values("pk")
        return ReservedIdentifier.objects.filter(record__in=restamped)


class Record(VersionedModel, IdentifiedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=RecordKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True,
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("part of"), help_text=_("The series, collection or multi-volume work this belongs to."),
    )
    level = models.CharField(
        _("level of description"), max_length=20, choices=LevelOfDescription.choices,
        default=LevelOfDescription.ITEM,
    )
    sequence = models.PositiveIntegerField(
        _("position in parent"), null=True, blank=True, help_text=_("Issue or volume number within the parent."),
    )

    date_edtf = models.CharField(
        _("date (EDTF)"), max_length=100, blank=True, validators=[validate_edtf],
        help_text=_("1945-08-23, 1950, 1950~ (about), 1950? (uncertain), 195X (the 1950s), 1946-21 (spring; 22 summer, "
                    "23 autumn, 24 winter), 1946/1956, 1984/.. (and later) — blank for undated."),
    )
    date_display = NFCCharField(
        _("date as written"), max_length=200, blank=True, help_text=_("The wording to show, e.g. 昭和25年頃."),
    )
    date_start = models.DateField(_("earliest date"), null=True, blank=True, editable=False)
    date_end = models.DateField(_("latest date"), null=True, blank=True, editable=False)
    year_start = models.SmallIntegerField(_("earliest year"), null=True, blank=True, editable=False)
    year_end = models.SmallIntegerField(_("latest year"), null=True, blank=True, editable=False)

    languages = models.ManyToManyField(Language, blank=True, verbose_name=_("languages of the material"))
    places = models.ManyToManyField(Place, blank=True, related_name="records", verbose_name=_("places"))
    subjects = models.ManyToManyField(Subject, blank=True, related_name="records", verbose_name=_("subjects"))
    agents = models.ManyToManyField(Agent, through="RecordAgent", related_name="records", blank=True,
                                    verbose_name=_("agents"))
    described_agent = models.OneToOneField(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="association_record",
        limit_choices_to={"kind": AgentKind.ORGANISATION}, verbose_name=_("association described"),
        help_text=_("For an association record: the organisation it describes."),
    )

    repository = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="holdings",
        limit_choices_to={"kind": AgentKind.ORGANISATION}, verbose_name=_("holding repository"),
    )
    reference_fond = models.CharField(_("fond"), max_length=50, blank=True)
    reference_opis = models.CharField(_("opis (inventory)"), max_length=50, blank=True)
    reference_delo = models.CharField(_("delo (file)"), max_length=50, blank=True)
    reference_folios = models.CharField(_("list (folios)"), max_length=50, blank=True)
    call_number = NFCCharField(_("call number"), max_length=100, blank=True)

    resource_type = models.CharField(_("resource type"), max_length=30, choices=ResourceType.choices, blank=True)
    container_title = NFCCharField(
        _("container title"), max_length=500, blank=True, help_text=_("Journal, newspaper, broadcaster or site."),
    )
    volume = models.CharField(_("volume"), max_length=50, blank=True)
    issue = models.CharField(_("issue"), max_length=50, blank=True)
    pages = models.CharField(_("pages"), max_length=50, blank=True)
    edition = NFCCharField(_("edition"), max_length=100, blank=True)
    publication_place = NFCCharField(_("place of publication"), max_length=200, blank=True)
    isbn = models.CharField(
        _("ISBN"), max_length=40, blank=True, validators=[validate_isbn], help_text=_("Stored as given."),
    )
    isbn10 = models.CharField(_("ISBN-10"), max_length=10, blank=True, editable=False, db_index=True)
    isbn13 = models.CharField(_("ISBN-13"), max_length=13, blank=True, editable=False, db_index=True)
    issn = models.CharField(_("ISSN"), max_length=20, blank=True, validators=[validate_issn])
    url = HttpURLField(_("URL"), max_length=1000, blank=True)
    archived_url = HttpURLField(
        _("archived copy"), max_length=1000, blank=True, help_text=_("e.g. a web archive's copy of a dead URL."),
    )
    accessed = models.DateField(_("accessed"), null=True, blank=True)
    extent = NFCCharField(_("extent"), max_length=200, blank=True, help_text=_("e.g. 1118 p.: ill."))

    rights_statement = HttpURLField(
        _("rights statement"), max_length=200, blank=True, help_text=_("A rightsstatements.org URI."),
    )
    licence = NFCCharField(_("licence"), max_length=200, blank=True)
    description_source = NFCTextField(_("source of the description"), blank=True)
    staff_notes = NFCTextField(_("staff notes"), blank=True, help_text=_("Never shown to the public."))

    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)
    # When the record first became public: the date of the history row that first has it “published”, stored so
    # that the feed of new records reads its newest through an index. Set once, by whatever publishes it (the
    # workflow, the admin, an import, a record created published: see ``mark_first_publication``), and never
    # changed: a record withdrawn and published again keeps it.
    first_published = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)

    objects = RecordQuerySet.as_manager()
    # ``first_published`` is read from the history, not kept in it: a revert or a diff has nothing to say of it.
    history = change_history(m2m_fields=[languages, places, subjects], excluded_fields=["first_published"])

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        ordering = ["identifier"]
        permissions = [
            ("submit_record", _("Can submit records for review")),
            ("review_record", _("Can return records under review")),
            ("publish_record", _("Can publish records")),
            ("withdraw_record", _("Can withdraw published records")),
            ("import_records", _("Can import catalogue spreadsheets")),
            ("purge_record", _("Can delete records permanently")),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["status", "year_start", "year_end"]),
            models.Index(fields=["status", "date_start"]),
            # The feed of new records (``published().newest_published_first()``): the published records in the
            # feed's order, so its first entries are read off the index whatever the size of the catalogue. Led by
            # the status rather than partial: SQLite takes a partial index only for a condition written out, not
            # the status the query passes as a parameter, and would sort every published record instead.
            models.Index(fields=["status", "-first_published", "-id"], name="collection_record_first_pub"),
        ]

    def __str__(self) -> str:
        title = self.display_title()
        return f"{self.identifier}: {title}" if title else self.identifier

    def get_identifier_prefix(self) -> str:
        return app_settings.IDENTIFIER_PREFIXES.get(self.kind, self.kind or "rec")

    def identifier_taken(self, identifier: str) -> bool:
        return ReservedIdentifier.objects.given(identifier) is not None

    def get_absolute_url(self) -> str:
        return reverse("collection:record-detail", kwargs={"identifier": self.identifier})

    def published_parent(self) -> Record | None:
        """The record this one is part of, if the public may see it (``published()`` decides); prefetched by
        :meth:`RecordQuerySet.with_published_parent`, else read once."""
        if not self.parent_id:
            return None
        if not hasattr(self, "_published_parent"):
            self._published_parent = type(self).objects.published().filter(pk=self.parent_id).prefetch_related(
                "titles").first()
        return self._published_parent

    @property
    def undated(self) -> bool:
        return not self.date_edtf

    def display_label(self, language: str | None = None) -> Title | None:
        """The title shown in ``language`` (its text and its language): see ``pick_label``."""
        return pick_label(self.titles.all(), language)

    def description_in(self, language: str) -> Description | None:
        """The description shown for ``language``: in it, else in its base language, else in the first of
        ``COLLECTION_LANGUAGES`` the record has one in, else the first written; ``None`` if there is none."""
        descriptions = [d for d in self.descriptions.all() if d.text.strip()]
        if not descriptions:
            return None
        for wanted in (language.lower(), base_language(language)):
            for description in descriptions:
                if description.language.lower() == wanted:
                    return description
        for configured in app_settings.LANGUAGES:
            for description in descriptions:
                if base_language(description.language) == base_language(configured):
                    return description
        return descriptions[0]

    def display_title(self, language: str | None = None) -> str:
        """The title in ``language``, else the original, else any title."""
        label = self.display_label(language)
        return label.text if label else ""

    def original_titles(self) -> list[Title]:
        return [t for t in self.titles.all() if t.form == LabelForm.ORIGINAL]

    def decades(self, today: datetime.date | None = None) -> list[int]:
        return decades_between(self.year_start, self.year_end, today=today)

    def agents_in_role(self, role: str) -> list[Agent]:
        return [link.agent for link in self.agent_links.all() if link.role == role]

    def sync_derived_fields(self) -> None:
        """Recompute what is derived from the archivist's values (date bounds, ISBN forms)."""
        self.date_start, self.date_end, self.year_start, self.year_end = date_bounds(self.date_edtf)
        self.isbn10, self.isbn13 = isbn_forms(self.isbn)

    def clean_fields(self, exclude: set[str] | None = None) -> None:
        super().clean_fields(exclude)
        if not self.pk and self.identifier:
            given = ReservedIdentifier.objects.given(self.identifier)
            if given == self.identifier:
                raise ValidationError(
                    {"identifier": _("This identifier has been used before and can never be used again.")}
                )
            if given is not None:
                raise ValidationError({"identifier": identifier_case_message(self.identifier, given)})

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.kind == RecordKind.ASSOCIATION and not self.described_agent_id:
            errors.setdefault("described_agent", []).append(
                _("An association record describes an organisation: choose or create it.")
            )
        if self.kind != RecordKind.ASSOCIATION and self.described_agent_id:
            errors.setdefault("described_agent", []).append(_("Only an association record describes an agent."))
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    errors.setdefault("parent", []).append(_("A record cannot be part of itself."))
                    break
                ancestor = ancestor.parent
        if self.archived_url and not self.url:
            errors.setdefault("url", []).append(_("Give the original URL of the archived copy."))
        if errors:
            raise ValidationError(errors)

    def mark_first_publication(self, when: datetime.datetime) -> bool:
        """Date the record's first publication ``when`` if it is published and has none yet; whether it did.

        Every path that writes a status calls it with the time its history row records, so the two agree:
        a save (the workflow, the admin, a record created published) with the history row's date, an import
        with the import's. A date once given is never changed: a record published again keeps its first one.
        """
        if self.status == Status.PUBLISHED and self.first_published is None:
            self.first_published = when
            return True
        return False

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        self.sync_derived_fields()
        update_fields = kwargs.get("update_fields")
        dated = False
        if update_fields is None or "status" in update_fields:
            # The history row of this save records the publication: it and the column get the same time.
            when = getattr(self, "_history_date", None) or timezone.now()
            if self.mark_first_publication(when):
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "first_published"}
                if not hasattr(self, "_history_date"):
                    self._history_date, dated = when, True
        try:
            super().save(*args, **kwargs)  # VersionedModel.save refuses a stale copy
        finally:
            if dated:
                del self._history_date  # simple-history would give it to every later save of this object
        if adding:
            ReservedIdentifier.objects.create(identifier=self.identifier, record=self)
        # Its history row is written: harvesters' dates follow what the public saw of this save.
        restamp_record(self.pk, using=self._state.db)

    # Workflow transitions: each checks the acting user's role and logs who, when, from, to and why.

    def submit(self, by: Any, comment: str = "") -> Any:
        """Put a draft under review."""
        return self._act("submit", by, comment)

    def publish(self, by: Any, comment: str = "") -> Any:
        """Publish a record under review; under the four-eyes rule not by its submitter."""
        return self._act("publish", by, comment)

    def return_to_draft(self, by: Any, comment: str) -> Any:
        """Send a record under review back to its contributors, saying why."""
        return self._act("return", by, comment)

    def withdraw(self, by: Any, reason: str, hide_title: bool = False) -> Any:
        """Take a published record down; its URL then answers 410 with a notice, without the title if hidden."""
        return self._act("withdraw", by, reason, hide_title=hide_title)

    def reopen(self, by: Any, comment: str = "") -> Any:
        """Bring a withdrawn record back to draft, to be corrected and reviewed again."""
        return self._act("reopen", by, comment)

    def _act(self, name: str, by: Any, comment: str, **kwargs: Any) -> Any:
        from ..workflow import ACTIONS, apply_action

        return apply_action(self, by, ACTIONS[name], comment, **kwargs)

    def was_ever_published(self) -> bool:
        """Whether the record was public at some moment: its title was, then.

        Read from its reservation, which has a datestamp from the first time it is saved published on and keeps
        it once it is no longer (:meth:`ReservedIdentifierQuerySet.restamp`; the migration that added the
        column gave one to every record its history shows published). One row by its key, rather than the
        history, for live and deleted records alike; not ``first_published``, the feed's indexed copy of the
        date, which a deleted record has no column for and records written without history (the synthetic
        benchmark's) carry without having been published.
        """
        return ReservedIdentifier.objects.filter(record_id=self.pk, datestamp__isnull=False).exists()

    def last_public_titles(self) -> list[Title]:
        """The titles as the public last saw them, from the history, in one query; none if never published.

        For a record that is published now, its titles as they stand. Otherwise its titles
        just before its last move out of “published” (a withdrawal): an edit made after
        that, or together with it, was never public. The titles are unsaved copies, each
        with its own primary key, so ``pick_label`` chooses among them as among live ones.
        """
        record_history = type(self).history.model
        published = record_history.objects.filter(id=self.pk, status=Status.PUBLISHED)
        last_published = published.order_by("-history_id").values("history_id")[:1]
        after = record_history.objects.filter(id=self.pk, history_id__gt=Subquery(last_published))
        left_at = after.order_by("history_id").values("history_date")[:1]
        public_now = Exists(published) & ~Exists(after)
        rows = (
            Title.history.model.objects.filter(record_id=self.pk)
            .filter(Q(history_date__lt=Subquery(left_at)) | public_now)
            .order_by("history_id")
            .values_list("id", "history_type", "language", "text", "form", "preferred")
        )
        latest: dict[int, tuple[Any, ...]] = {}
        for row in rows:
            latest[row[0]] = row
        return [
            Title(pk=pk, record_id=self.pk, language=language, text=text, form=form, preferred=preferred)
            for pk, (_pk, history_type, language, text, form, preferred) in sorted(latest.items())
            if history_type != "-"
        ]

    def check_purge(self, *, hide_title: bool) -> None:
        """Refuse to hide the title of a record never published: it leaves no notice to hide it on.

        Raises :class:`~collection.workflow.TransitionNotAllowed` saying so.
        """
        from ..workflow import TransitionNotAllowed

        if hide_title and not self.was_ever_published():
            raise TransitionNotAllowed(_(
                "This record was never published: it leaves no public notice, so there is no title to hide."))

    @transaction.atomic
    def purge(self, by: Any, reason: str, hide_title: bool = False) -> None:
        """Delete permanently (collection managers only), keeping history and the reserved identifier.

        The identifier's URL keeps answering 410; the title stays off that notice if
        asked or if an earlier withdrawal hid it. A record that was never public has no
        notice: its URL answers 404, as an identifier never given, and hiding its title is refused.
        """
        from ..workflow import TransitionNotAllowed

        if by is not None and not by.has_perm("collection.purge_record"):
            raise TransitionNotAllowed(_("Only a collection manager may delete a record permanently."))
        if not (reason or "").strip():
            raise TransitionNotAllowed(_("Give a reason for deleting the record."))
        self.check_purge(hide_title=hide_title)
        withdrawal = self.status_changes.withdrawals().first()
        identifier = self.identifier
        self._history_user = by
        self._change_reason = reasons.typed(reason)
        self.delete()  # the pre_delete signal reserves the identifier, hiding the title of one never public
        reserved = ReservedIdentifier.objects.filter(identifier=identifier)
        reserved.update(deleted_by=by, deletion_reason=reason)
        if hide_title or (withdrawal is not None and withdrawal.hide_title):
            reserved.update(hide_title=True)


class Title(Label):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="titles", verbose_name=_("record"))
    history = change_history()

    class Meta(Label.Meta):
        verbose_name = pgettext_lazy("a work's title", "title")
        verbose_name_plural = _("titles")
        indexes = [models.Index(fields=["record", "language"])]


class Description(models.Model):
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="descriptions", verbose_name=_("record"),
    )
    language = models.CharField(_("language"), max_length=35, validators=[validate_language_tag])
    text = NFCTextField(_("text"))
    our_translation = models.BooleanField(_("our translation"), default=False)
    history = change_history()

    class Meta:
        verbose_name = _("description")
        verbose_name_plural = _("descriptions")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "language"], name="collection_one_description_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.text[:60]}"


class RecordAgent(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="agent_links", verbose_name=_("record"))
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="record_links",
                              verbose_name=_("agent"))
    role = models.CharField(_("role"), max_length=20, choices=AgentRole.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    history = change_history()

    class Meta:
        verbose_name = _("agent of a record")
        verbose_name_plural = _("agents of records")
        ordering = ["role", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "agent", "role"], name="collection_agent_once_per_role")
        ]

    def __str__(self) -> str:
        # Named with its record: a page listing links of several records (an agent's deletion page) must
        # say whose each is.
        if self.record_id is None:
            return self.name_in_record()
        return _("%(agent)s, %(role)s of %(record)s") % {
            "agent": self.agent, "role": self.get_role_display(), "record": self.record.identifier}

    def name_in_record(self) -> str:
        """The link as its own record's pages name it, where the record goes without saying."""
        return f"{self.agent} ({self.get_role_display()})"


def identifier_case_message(identifier: str, given: str) -> str:
    return _("“%(identifier)s” differs only in letter case from “%(given)s”, which has been given to a record: "
             "identifiers are the same whatever their case.") % {"identifier": identifier, "given": given}


class ReservedIdentifierQuerySet(models.QuerySet):
    def any_case(self, identifiers: Iterable[str]) -> ReservedIdentifierQuerySet:
        """The reservations of these identifiers, in whatever letter case they were given."""
        return self.alias(folded=Lower("identifier")).filter(folded__in=[value.lower() for value in identifiers])

    def given(self, identifier: str) -> str | None:
        """The identifier as given to a record, if this one, in any letter case, ever was."""
        return self.any_case([identifier]).values_list("identifier", flat=True).first()

    def known_to_the_public(self) -> ReservedIdentifierQuerySet:
        """The identifiers the public may know of: each published record's (``Record.objects.published()``
        decides), and each of a record that was published once and is withdrawn, back in revision or deleted
        since, the identifiers whose URLs answer with a notice (``collection.tombstones``). Never one of a record
        that was never public, in whatever state it is or was.

        They are the reservations with a ``datestamp``, which :meth:`restamp` gives those and no other; each
        carries the ``kind`` the public last saw. Annotated with ``public``: the record is published now, which
        ``published()`` decides here too, never a stored copy of it.
        Harvesting (``collection.oai``) lists these in the order of the datestamp's index; the notices
        (``collection.tombstones``) read them.
        """
        public = Exists(Record.objects.published().filter(pk=OuterRef("record_id")))
        return self.filter(datestamp__isnull=False).annotate(public=public)

    def restamp(self) -> int:
        """Store each reservation's ``datestamp`` and ``kind`` as harvesters are to know them, from its record
        as it stands; returns how many were written.

        A published record: its :func:`last_change`, and its kind. A record that is no longer public but was
        (it has a datestamp already): when it left (:meth:`left_publication`), and the kind it keeps, the one
        it had when it was last public, never one given it since. A record never public: neither, and
        harvesters never hear of it. Written on every change of the record (``RecordQuerySet.restamp``), so
        that harvests filter and order by the stored value and never read the history. Each value is read by
        key (the record's, its history's by its key or identifier), whatever the size of the catalogue.
        """
        return self.update(**self._restamped_values())

    @classmethod
    def _restamped_values(cls) -> dict[str, models.Expression]:
        record = Record._base_manager.filter(pk=OuterRef("record_id"))
        public = Exists(record.filter(status=Status.PUBLISHED))
        public_change = Subquery(record.annotate(at=last_change()).values("at")[:1])
        return {
            "datestamp": models.Case(models.When(public, then=public_change),
                                     models.When(datestamp__isnull=False, then=cls.left_publication()),
                                     default=None, output_field=models.DateTimeField()),
            "kind": models.Case(models.When(public, then=Subquery(record.values("kind")[:1])),
                                default=models.F("kind"), output_field=models.CharField()),
        }

    @staticmethod
    def left_publication() -> models.Expression:
        """When the public last saw the reservation's record go, for a record no longer published: the one rule
        that dates it, for harvesters (the OAI datestamp of a deleted record) and readers (the date on the
        notice at its address, and in the API's answer) alike; :meth:`restamp` stores it.

        A deleted record: its deletion (``deleted_at``; a reservation whose record went without one, its last
        change in the history, which is the deletion). Any other: the first change of its history after it was
        last published, the one that took it out of “published” (its withdrawal, by the admin's button or a bulk
        action, or a save of its status in code), whatever changed since (an edit, a reopening by an import); a
        record published again and withdrawn again is dated by its latest withdrawal. The history rather than
        the workflow's log (``StatusChange``): every path that saves a record writes its history in the moment
        of the change, while the log lacks the withdrawals made before it was kept or outside the workflow (those
        it has, it dates in the same moment as the history). Without such a change in the history (a status written with
        ``update()``), the record's last change.
        """
        last_change = Record.history.model.objects.filter(identifier=OuterRef("identifier")).order_by("-history_id")
        # Read by key rather than joined: the rule is written by an UPDATE of the reservations, which joins none.
        modified = Record._base_manager.filter(pk=OuterRef("record_id")).values("modified")[:1]
        return models.Case(
            models.When(record__isnull=True, then=Coalesce("deleted_at", Subquery(last_change.values(
                "history_date")[:1]))),
            default=Coalesce(left_publication_at(OuterRef("record_id")), Subquery(modified)),
            output_field=models.DateTimeField(),
        )


# Where the record's key goes in the statement :func:`restamp_record` builds once: a key no record has.
_RECORD_KEY_MARK = -7_340_033
_restamp_statements: dict[str, tuple[str, tuple[Any, ...], tuple[int, ...]]] = {}


def restamp_record(record_id: int, using: str = DEFAULT_DB_ALIAS) -> int:
    """``Record.objects.filter(pk=record_id).restamp()`` (:meth:`RecordQuerySet.restamp`): what every save of a
    record runs. The statement is compiled once per database and run with the record's key, as building it
    costs twice what running it does and every save would build the same one."""
    if using not in _restamp_statements:
        mark = _RECORD_KEY_MARK
        reservations = Record.objects.using(using).filter(pk=mark).reservations_to_restamp().using(using)
        query = reservations.query.chain(UpdateQuery)
        query.add_update_values(ReservedIdentifierQuerySet._restamped_values())
        sql, params = query.get_compiler(using).as_sql()
        keys = tuple(index for index, param in enumerate(params) if param == mark)
        _restamp_statements[using] = (sql, tuple(params), keys)
    sql, params, keys = _restamp_statements[using]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [record_id if index in keys else param for index, param in enumerate(params)])
        return cursor.rowcount


class ReservedIdentifier(models.Model):
    """Every identifier ever given to a record; it outlives the record and is never reused.

    Identifiers are compared whatever their letter case: mem-1 and MEM-1 are one identifier, so a URL in either
    case can name one record only.
    """

    identifier = models.CharField(_("identifier"), max_length=64, unique=True)
    record = models.OneToOneField(Record, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="reservation", verbose_name=_("record"))
    reserved_at = models.DateTimeField(_("reserved at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("deleted by"))
    deletion_reason = models.TextField(_("reason for deletion"), blank=True)
    title = models.TextField(pgettext_lazy("a work's title", "title"), blank=True,
                             help_text=_("The title when the record was last public."))
    # [{"language", "text", "form", "preferred"}], in the order the titles were made; older rows have only ``title``.
    titles = models.JSONField(
        _("titles"), default=list, blank=True,
        help_text=_("The titles when the record was last public, in every language."),
    )
    hide_title = models.BooleanField(_("title hidden on the notice"), default=False)
    # As harvesters know the record (OAI-PMH): when it last changed while public, or when it stopped being
    # public; none for a record never public. Kept by ``ReservedIdentifierQuerySet.restamp`` from the record
    # and its history on every change, so that harvests select and page by an index instead of reading the
    # history of the whole catalogue.
    datestamp = models.DateTimeField(_("datestamp"), null=True, blank=True, editable=False)
    # The kind the record had when it was last public: its set for harvesters once it is no longer.
    kind = models.CharField(_("kind"), max_length=20, blank=True, default="", editable=False)

    objects = ReservedIdentifierQuerySet.as_manager()

    class Meta:
        verbose_name = _("reserved identifier")
        verbose_name_plural = _("reserved identifiers")
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(Lower("identifier"), name="collection_reserved_identifier_any_case"),
        ]
        indexes = [
            # The order of harvests and their pages (``collection.oai``); ``from`` and ``until`` are its ranges.
            models.Index(fields=["datestamp", "identifier"], name="collection_reserved_datestamp"),
        ]

    def __str__(self) -> str:
        return self.identifier

    def keep_titles(self, titles: Iterable[Title]) -> None:
        """Store the titles a deleted record's notice may show (its titles when last public)."""
        titles = sorted((t for t in titles if t.text), key=lambda t: t.pk or 0)
        self.titles = [{"language": t.language, "text": t.text, "form": t.form, "preferred": t.preferred}
                       for t in titles]
        label = pick_label(titles, None)
        self.title = label.text if label else ""

    def public_titles(self) -> list[Title]:
        """The kept titles as unsaved ``Title`` objects for ``pick_label``; a row from before the titles were kept
        in every language gives its one stored title."""
        if self.titles:
            return [Title(pk=position, language=t.get("language", ""), text=t.get("text", ""),
                          form=t.get("form", LabelForm.ORIGINAL), preferred=t.get("preferred", True))
                    for position, t in enumerate(self.titles, start=1)]
        return [Title(pk=1, language="", text=self.title)] if self.title else []


def validate_titles(titles: Iterable[Title]) -> None:
    """A record's titles taken together (each title checks itself in ``Label.clean``).

    A record needs at least one title in some language that is not a reading or
    romanization: a reading or romanization only spells out another title (a
    machine-made one goes with its source, and one entered alone would name the record
    in no language). And at most one preferred original title per language tag: a
    second one could only be told from the first by its order, so which one pages show
    would be an accident. An alternative original is a variant (not preferred). The tag
    is compared whole, whatever its letter case: originals in two scripts of one language
    (``sr-Latn``, ``sr-Cyrl``) may both be preferred. The error's ``params`` name the
    ``language`` it concerns.
    """
    titles = [t for t in titles if (t.text or "").strip()]
    if not any(t.form not in DERIVED_FORMS for t in titles):
        raise ValidationError(_("A record needs at least one title in some language."), code="no_title")
    seen: dict[str, Title] = {}
    for title in titles:
        if title.form != LabelForm.ORIGINAL or not title.preferred:
            continue
        key = (title.language or "").lower()
        if key in seen:
            raise ValidationError(
                _("Two original titles tagged %(language)s are both preferred (“%(first)s” and “%(second)s”): a record "
                  "has one preferred original title per language. Untick “preferred” on one of them: it then stays "
                  "as a variant title."),
                code="preferred_originals",
                params={"language": title.language, "first": seen[key].text, "second": title.text},
            )
        seen[key] = title
