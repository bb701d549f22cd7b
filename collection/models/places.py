"""A controlled, hierarchical, multilingual list of places."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..concurrency import VersionedModel
from .hierarchy import would_loop
from .history import change_history
from .identifiers import IdentifiedModel
from .in_use import NamedByRecordsModel, NamedByRecordsQuerySet, guard_deletion
from .labels import Label, pick_label


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("country")
    REPUBLIC = "republic", _("republic")
    KRAI = "krai", _("krai")
    OBLAST = "oblast", _("oblast")
    REGION = "region", _("region")
    CITY = "city", _("city")
    SETTLEMENT = "settlement", _("settlement")
    RAILWAY_STATION = "railway_station", _("railway station")
    CAMP = "camp", _("camp")
    CAMP_BRANCH = "camp_branch", _("camp branch")


class PlaceQuerySet(NamedByRecordsQuerySet):
    record_field = "places"

    def within(self, place: Place) -> PlaceQuerySet:
        """The place and every place below it (a krai, its cities, camps and stations)."""
        return self.filter(path__startswith=place.path)

    def with_public_page(self) -> PlaceQuerySet:
        """Places of a published record, and every region above one (``RecordPlaceIndex``); see
        ``AgentQuerySet.with_public_page``."""
        from .records import Record
        from .search import RecordPlaceIndex

        return self.filter(models.Exists(RecordPlaceIndex.objects.filter(
            place=models.OuterRef("pk"), record__in=Record.objects.published())))


class Place(NamedByRecordsModel, VersionedModel, IdentifiedModel):
    identifier_prefix = "place"

    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("part of"), help_text=_("The administrative unit of the time."),
    )
    gupvi_camp_number = models.CharField(
        _("GUPVI camp number"), max_length=20, blank=True, help_text=_("e.g. 7 for camp No. 7"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # Materialized path of primary keys, "/3/17/42/": a region's subtree is one prefix match.
    path = models.CharField(_("path in the hierarchy"), max_length=512, editable=False, db_index=True, default="")
    # Bumped by every save, a change of its names too: an import previewed before it is refused.
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = PlaceQuerySet.as_manager()
    history = change_history(excluded_fields=["path"])

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]

    def __str__(self) -> str:
        # In the reader's language, as public pages name it: the admin's lists, choices and history show this.
        return self.display_name(get_language()) or self.identifier

    def display_label(self, language: str | None = None, year: int | None = None) -> PlaceName | None:
        """The name shown in ``language`` (in ``year``, if given), with its language: see ``pick_label``."""
        names = list(self.names.all())
        if year is not None:
            current = [name for name in names if name.valid_in(year)]
            names = current or names
        return pick_label(names, language)

    def display_name(self, language: str | None = None, year: int | None = None) -> str:
        label = self.display_label(language, year)
        return label.text if label else ""

    def get_absolute_url(self) -> str:
        return reverse("collection:place-detail", kwargs={"identifier": self.identifier})

    def clean(self) -> None:
        super().clean()
        if self.parent_id and would_loop(self, "parent"):
            raise ValidationError({"parent": _("A place cannot be part of itself.")})
        if (self.latitude is None) != (self.longitude is None):
            # Named on the missing one: the form shows it there, and a sheet's error names that column.
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError({missing: _("Give both latitude and longitude, or neither.")})

    def ancestors(self) -> list[Place]:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = Place.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            # The stored path, not this copy's: a copy read before an ancestor moved holds an outdated one.
            self.path = Place._base_manager.filter(pk=self.pk).values_list("path", flat=True).first() or ""
        super().save(*args, **kwargs)
        parent_path = Place.objects.values_list("path", flat=True).get(pk=self.parent_id) if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path != self.path:
            old_path, self.path = self.path, new_path
            if old_path:
                Place.objects.filter(path__startswith=old_path).update(
                    path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
                )
                # Records in the moved places now count in other regions: the public counts follow the index.
                move_in_place_index(new_path, _path_ids(old_path)[:-1], _path_ids(new_path)[:-1])
            else:
                Place.objects.filter(pk=self.pk).update(path=new_path)


guard_deletion(Place)


def _path_ids(path: str) -> list[int]:
    """The places of a path, outermost first: ``/3/17/42/`` is ``[3, 17, 42]``."""
    return [int(part) for part in path.strip("/").split("/") if part]


def move_in_place_index(path: str, old_ancestors: list[int], new_ancestors: list[int]) -> None:
    """Bring the place index of the records at or below ``path`` in line after the place there moved.

    The place (at ``path`` now) was below ``old_ancestors`` and is below ``new_ancestors``.
    Each record in it or in a place under it stops counting in a region it left, unless
    another of its places is still there, and counts in every region it joined: two
    statements, whatever the number of records (the rows of the places inside the
    moved one do not change). Call it in the transaction that moved the paths. The search
    keys of those records, which hold the names of the places around theirs, are left to
    whoever moved the place (``collection.search.reindex_after_save``, as the admin does).
    """
    from django.db import connection

    from .records import Record
    from .search import RecordPlaceIndex

    left = [pk for pk in old_ancestors if pk not in new_ancestors]
    joined = [pk for pk in new_ancestors if pk not in old_ancestors]
    if not left and not joined:
        return
    through = Record.places.through
    inside = through.objects.filter(place__path__startswith=path).values("record_id")
    if left:
        # The regions left did not move: each one's path is the start of the old path up to it.
        leaves = models.Q()
        for depth, pk in enumerate(old_ancestors, start=1):
            if pk in left:
                region_path = "/" + "".join(f"{ancestor}/" for ancestor in old_ancestors[:depth])
                still_there = through.objects.filter(place__path__startswith=region_path).values("record_id")
                leaves |= models.Q(place_id=pk) & ~models.Q(record_id__in=still_there)
        RecordPlaceIndex.objects.filter(leaves, record_id__in=inside).delete()
    if joined:
        records_sql, params = inside.distinct().query.sql_with_params()
        quote = connection.ops.quote_name
        index, place = quote(RecordPlaceIndex._meta.db_table), quote(Place._meta.db_table)
        holes = ", ".join(["%s"] * len(joined))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {index} (record_id, place_id) "
                f"SELECT inside.record_id, region.id FROM ({records_sql}) AS inside, {place} AS region "
                f"WHERE region.id IN ({holes}) AND NOT EXISTS (SELECT 1 FROM {index} AS held "
                "WHERE held.record_id = inside.record_id AND held.place_id = region.id)",
                [*params, *joined],
            )


class PlaceName(Label):
    romanized_as_name = True

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names", verbose_name=_("place"))
    valid_from = models.SmallIntegerField(_("used from (year)"), null=True, blank=True)
    valid_to = models.SmallIntegerField(_("used until (year)"), null=True, blank=True)
    history = change_history()

    class Meta(Label.Meta):
        verbose_name = _("place name")
        verbose_name_plural = _("place names")

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )

    def clean(self) -> None:
        super().clean()
        if self.valid_from is not None and self.valid_to is not None and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("A name cannot stop being used before it starts.")})


