"""One authority for persons and organisations."""

from __future__ import annotations

from urllib.parse import quote

from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..concurrency import VersionedModel
from ..fields import NFCCharField, NFCTextField
from ..text import nfc
from ..validators import validate_edtf, validate_ndl_id, validate_viaf_id, validate_wikidata_id
from .history import change_history
from .identifiers import IdentifiedModel
from .labels import Label, pick_label


class AgentKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


# Where an agent's identifier in another authority file is looked up: (field, label, address with {id}).
AUTHORITY_FILES = (
    ("viaf", "VIAF", "https://viaf.org/viaf/{id}/"),
    ("ndl", _("NDL Authorities"), "https://id.ndl.go.jp/auth/ndlna/{id}"),
    ("wikidata", "Wikidata", "https://www.wikidata.org/wiki/{id}"),
    ("isil", "ISIL", ""),
)


class AgentQuerySet(models.QuerySet):
    def with_names(self) -> AgentQuerySet:
        """Prefetch the names that display and search need."""
        return self.prefetch_related("names")

    def with_public_page(self) -> AgentQuerySet:
        """Agents a published record names (any role), that hold one (its repository) or that one describes
        (the organisation of an association record, whose page links to the agent's).

        An agent only unpublished records name, hold or describe, or none, has no public
        page: it answers as an unknown identifier does, so a page tells nothing of drafts.
        The pages, the API and the sitemap all ask here.
        """
        from .records import Record, RecordAgent

        public = Record.objects.published()
        return self.filter(Exists(RecordAgent.objects.filter(agent=OuterRef("pk"), record__in=public))
                           | Exists(public.filter(repository=OuterRef("pk")))
                           | Exists(public.filter(described_agent=OuterRef("pk"))))


class Agent(VersionedModel, IdentifiedModel):
    identifier_prefix = "agent"

    kind = models.CharField(_("kind"), max_length=20, choices=AgentKind.choices, default=AgentKind.PERSON)
    date_edtf = models.CharField(
        _("dates (EDTF)"), max_length=100, blank=True, validators=[validate_edtf],
        help_text=_("Life or existence, e.g. 1921/1998, 1945/.. or 1920~/.."),
    )
    date_display = NFCCharField(_("dates as written"), max_length=200, blank=True)
    viaf = models.CharField(_("VIAF id"), max_length=40, blank=True, validators=[validate_viaf_id])
    ndl = models.CharField(_("NDL id"), max_length=40, blank=True, validators=[validate_ndl_id])
    wikidata = models.CharField(_("Wikidata id"), max_length=40, blank=True, validators=[validate_wikidata_id])
    isil = models.CharField(
        _("ISIL"), max_length=16, blank=True, help_text=_("For a holding repository, e.g. RU-… or JP-…"),
    )
    notes = NFCTextField(_("staff notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = AgentQuerySet.as_manager()
    history = change_history()

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["identifier"]

    def __str__(self) -> str:
        # In the reader's language, as public pages name it: the admin's lists, choices and history show this.
        return self.display_name(get_language()) or self.identifier

    def display_label(self, language: str | None = None) -> AgentName | None:
        """The name shown in ``language`` (its text and its language): see ``pick_label``."""
        return pick_label(self.names.all(), language)

    def display_name(self, language: str | None = None) -> str:
        label = self.display_label(language)
        return label.text if label else ""

    def get_absolute_url(self) -> str:
        return reverse("collection:agent-detail", kwargs={"identifier": self.identifier})

    def authority_links(self) -> list[tuple[str, str, str]]:
        """The agent's identifiers in other authority files: (label, identifier, address to look it up or "").

        A method rather than a view's helper: the agent's page and the page of the association record
        describing it both show them.
        """
        links = []
        for field, label, address in AUTHORITY_FILES:
            value = getattr(self, field).strip()
            if value:
                links.append((str(label), value, address.format(id=quote(value, safe="")) if address else ""))
        return links


def name_parts_missing(text: str, family: str, given: str) -> dict[str, str]:
    """The family and given names that the name ``text`` does not hold as written (case and all), by field,
    each with its message.

    Citations print the parts, not the name: a typo in a part, typed once, would be published in every citation
    while the name looks right everywhere else. A sheet's ``name_parts`` follow the same rule.
    """
    text = nfc(text) or ""
    if not text:
        return {}
    messages = {
        "family": _("The family name “%(part)s” does not occur in the name “%(name)s”: check both for a typo."),
        "given": _("The given name “%(part)s” does not occur in the name “%(name)s”: check both for a typo."),
    }
    return {field: messages[field] % {"part": part, "name": text}
            for field, part in (("family", nfc(family) or ""), ("given", nfc(given) or ""))
            if part and part not in text}


class AgentName(Label):
    romanized_as_name = True

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="names", verbose_name=_("agent"))
    family = NFCCharField(_("family name"), max_length=255, blank=True)
    given = NFCCharField(_("given name"), max_length=255, blank=True)
    history = change_history()

    class Meta(Label.Meta):
        verbose_name = _("agent name")
        verbose_name_plural = _("agent names")
        indexes = [models.Index(fields=["text"])]
