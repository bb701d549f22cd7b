"""Derived tables behind public search and facets.

They hold nothing an archivist types: :func:`collection.search.refresh_search_index`
rebuilds them from the catalogue, and database triggers (migrations ``0004_search``
and ``0007_catalogue_changes``) bump :class:`CatalogueVersion` and log the records
concerned in :class:`CatalogueChange` whenever anything a count depends on changes,
in the same transaction, so the in-process facet index (``collection.facets.index``)
can never serve a count the data no longer supports.
"""

from __future__ import annotations

from django.db import models

from .places import Place
from .records import Record


class RecordSearch(models.Model):
    """One row per record: folded search keys and the title sort key."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, primary_key=True, related_name="search")
    # Folded text of every title, reading, romanization, description, agent and place name (with the names
    # of the places around the record's places), fields separated by " | " (a character a folded query never
    # contains).
    document = models.TextField(blank=True, default="")
    # The titles alone, for ranking title matches first.
    titles = models.TextField(blank=True, default="")
    # Space-delimited kana/kanji bigrams (" 抑留 留記 "), so two-character words use an index.
    bigrams = models.TextField(blank=True, default="")
    title_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        verbose_name = "search keys"
        verbose_name_plural = "search keys"
        # Title order with its tie-breaker, so a page is an index walk on both databases.
        indexes = [models.Index(fields=["title_key", "record"], name="collection_search_title_idx")]

    def __str__(self) -> str:
        return f"search keys of record {self.record_id}"


class RecordTitleOrder(models.Model):
    """A record's title sort key on the pages of one cataloguing language: the title those pages show.

    ``RecordSearch.title_key`` orders by the original title; a page in English shows
    the English title where there is one, and sorts by it (see
    :func:`collection.search.title_order_language`).
    """

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=35)
    title_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        verbose_name = "title order"
        verbose_name_plural = "title orders"
        default_permissions = ()  # derived data: nobody edits it
        constraints = [models.UniqueConstraint(fields=["record", "language"], name="collection_title_order_once")]
        # One language's order with its tie-breaker, so a page is an index walk, as for RecordSearch.
        indexes = [models.Index(fields=["language", "title_key", "record"], name="collection_title_order_idx")]

    def __str__(self) -> str:
        return f"title order of record {self.record_id} in {self.language}"


class RecordPlaceIndex(models.Model):
    """A record's places with all their ancestors: a region's count includes its camps and cities."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "place"], name="collection_place_index_once")]
        indexes = [models.Index(fields=["place", "record"])]

    def __str__(self) -> str:
        return f"{self.record_id} in {self.place_id}"


class CatalogueVersion(models.Model):
    """A single counter that database triggers bump on every change facets depend on.

    ``token`` is drawn at random with every bump: a version number can come back
    after a rollback, a (version, token) pair cannot, so an index built from data
    that was rolled back never passes for the committed catalogue.
    """

    version = models.BigIntegerField(default=1)
    token = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)


class CatalogueChange(models.Model):
    """A record whose public facets may have changed, logged by the triggers with the version they set.

    ``record_id`` is empty when a change touched too many records to list (or a
    table was truncated): whoever is behind that version starts afresh. Rows of
    old versions are pruned by the triggers themselves.
    """

    version = models.BigIntegerField(db_index=True)
    token = models.BigIntegerField()
    # No foreign key: a deleted record's id must stay in the log.
    record_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "catalogue change"
        verbose_name_plural = "catalogue changes"

    def __str__(self) -> str:
        return f"record {self.record_id} at version {self.version}"
