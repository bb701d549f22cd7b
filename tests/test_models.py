import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from collection.dates import decades_between, parse_edtf_bounds
from collection.derivation import derive_forms
from collection.models import (
    LabelForm,
    Place,
    PlaceKind,
    PlaceName,
    Record,
    RecordKind,
    ReservedIdentifier,
    Status,
    Title,
)
from collection.romanization import kana_to_hepburn, romanize_russian
from collection.validators import isbn_forms

from .factories import AgentFactory, PlaceFactory, RecordFactory

pytestmark = pytest.mark.django_db


class TestIdentifiers:
    def test_generated_from_kind_prefix_when_blank(self):
        record = RecordFactory(kind=RecordKind.MEMOIR)
        assert record.identifier.startswith("mem-")

    def test_unique(self):
        RecordFactory(identifier="doc-gko-9898")
        with pytest.raises(IntegrityError), transaction.atomic():
            Record.objects.create(identifier="doc-gko-9898", kind=RecordKind.DOCUMENT)

    def test_never_reused_after_deletion(self):
        record = RecordFactory(identifier="doc-gone")
        record.delete()
        assert ReservedIdentifier.objects.get(identifier="doc-gone").deleted_at is not None
        again = Record(identifier="doc-gone", kind=RecordKind.DOCUMENT)
        with pytest.raises(ValidationError) as excinfo:
            again.full_clean()
        assert "never be used again" in str(excinfo.value)
        with pytest.raises(IntegrityError), transaction.atomic():
            again.save()

    def test_generated_identifier_skips_retired_ones(self):
        first = RecordFactory(kind=RecordKind.MEMOIR)
        retired = first.identifier
        first.delete()
        assert RecordFactory(kind=RecordKind.MEMOIR).identifier != retired

    def test_never_changed(self):
        record = RecordFactory(identifier="doc-fixed")
        record.identifier = "doc-other"
        with pytest.raises(ValidationError):
            record.full_clean()
        with pytest.raises(ValueError):
            record.save()
        assert Record.objects.filter(identifier="doc-fixed").exists()

    def test_rejects_spaces_and_slashes(self):
        with pytest.raises(ValidationError):
            Record(identifier="doc 1/2", kind="document").full_clean()


class TestTitles:
    def make(self, *titles):
        record = RecordFactory(title=False)
        for language, text, form in titles:
            Title.objects.create(record=record, language=language, text=text, form=form)
        return Record.objects.prefetch_related("titles").get(pk=record.pk)

    def test_requested_language_first(self):
        record = self.make(("ru", "Тестовые записки военнопленного", LabelForm.ORIGINAL),
                           ("en", "Test notes of a POW", LabelForm.TRANSLATION))
        assert record.display_title("en") == "Test notes of a POW"
        assert record.display_title("ru") == "Тестовые записки военнопленного"

    def test_falls_back_to_original_then_any(self):
        record = self.make(("ru", "Тестовые записки военнопленного", LabelForm.ORIGINAL),
                           ("en", "Test notes of a POW", LabelForm.TRANSLATION))
        assert record.display_title("ja") == "Тестовые записки военнопленного"
        only_translation = self.make(("en", "Only English", LabelForm.TRANSLATION))
        assert only_translation.display_title("ja") == "Only English"

    def test_two_originals_follow_configured_language_order(self, settings):
        record = self.make(("ru", "Совместная декларация", LabelForm.ORIGINAL),
                           ("ja", "共同宣言", LabelForm.ORIGINAL))
        assert record.display_title("en") == "共同宣言"
        settings.COLLECTION_LANGUAGES = ["ru", "ja", "en"]
        assert record.display_title("en") == "Совместная декларация"

    def test_romanization_not_used_for_the_base_language(self):
        record = self.make(("ja-Latn", "Shiken jikkō no kage ni", LabelForm.ROMANIZATION),
                           ("ja", "試験実行のかげに", LabelForm.ORIGINAL))
        assert record.display_title("ja") == "試験実行のかげに"
        assert record.display_title("ja-Latn") == "Shiken jikkō no kage ni"

    def test_preferred_before_variant(self):
        record = RecordFactory(title=False)
        Title.objects.create(record=record, language="en", text="Variant", preferred=False)
        Title.objects.create(record=record, language="en", text="Main")
        assert Record.objects.get(pk=record.pk).display_title("en") == "Main"

    def test_form_and_script_must_agree(self):
        record = RecordFactory(title=False)
        with pytest.raises(ValidationError):
            Title(record=record, language="ja", text="じっこう", form=LabelForm.READING).full_clean()
        with pytest.raises(ValidationError):
            Title(record=record, language="ru", text="Voennoplennye", form=LabelForm.ROMANIZATION).full_clean()
        with pytest.raises(ValidationError):
            Title(record=record, language="en", text="x", form=LabelForm.ORIGINAL, our_translation=True
                  ).full_clean()

    def test_invalid_language_tag(self):
        record = RecordFactory(title=False)
        with pytest.raises(ValidationError):
            Title(record=record, language="japanese", text="x").full_clean()


class TestNFC:
    def test_text_stored_composed(self):
        decomposed = unicodedata.normalize("NFD", "ガ Ёж")  # ガ as カ + combining mark
        assert decomposed != "ガ Ёж"
        record = RecordFactory(title=decomposed, date_display=decomposed)
        title = Title.objects.get(record=record)
        assert title.text == "ガ Ёж"
        assert Record.objects.get(pk=record.pk).date_display == "ガ Ёж"
        assert Title.objects.filter(text=decomposed).count() == 1  # lookups normalize too

    def test_bulk_create_normalizes(self):
        record = RecordFactory(title=False)
        Title.objects.bulk_create([Title(record=record, language="ja", text=unicodedata.normalize("NFD", "バ"))])
        assert Title.objects.get(record=record).text == "バ"


class TestReadingsAndRomanization:
    def test_hepburn_from_kana(self):
        assert kana_to_hepburn("シケン ジッコウ ノ カゲ ニ") == "shiken jikkō no kage ni"
        assert kana_to_hepburn("しんいち") == "shin'ichi"
        assert kana_to_hepburn("マッチャ") == "matcha"
        assert kana_to_hepburn("コーヒー") == "kōhī"

    def test_a_century_in_roman_numerals_typed_in_cyrillic_stays_a_numeral(self):
        assert romanize_russian("истории ХХ века") == "istorii XX veka"
        assert romanize_russian("ХIХ век") == "XIX vek"
        assert romanize_russian("Х. Хабаров, ХОР") == "KH. Khabarov, KHOR"  # an initial and a word: letters

    def test_russian_ala_lc_handles_yo(self):
        assert romanize_russian("Ёлка") == "Ëlka"
        assert romanize_russian("Кузнецов") == "Kuznet͡sov"
        assert "ё" not in romanize_russian("Пётр Алексеевич").lower()

    def test_derived_forms_flagged_and_follow_corrections(self):
        record = RecordFactory(title=False)
        title = Title.objects.create(record=record, language="ja", text="試験実行のかげに")
        derive_forms(record.titles.all(), Title, {"record": record})
        reading = Title.objects.get(record=record, language="ja-Hrkt")
        romanized = Title.objects.get(record=record, language="ja-Latn")
        assert reading.machine_made and romanized.machine_made
        assert reading.derived_from == title and reading.form == LabelForm.READING
        assert reading.text == "シケン ジッコウ ノ カゲ ニ"
        assert romanized.text == "Shiken jikkō no kage ni"
        # The archivist corrects the reading: the romanization follows, the reading is kept.
        reading.text, reading.machine_made = "シケン ジッコウ ノ カゲニ", False
        reading.save()
        derive_forms(record.titles.all(), Title, {"record": record})
        reading.refresh_from_db()
        romanized.refresh_from_db()
        assert reading.text == "シケン ジッコウ ノ カゲニ"
        assert romanized.text == "Shiken jikkō no kageni"
        # A corrected romanization is never overwritten.
        romanized.text, romanized.machine_made = "Shiken jikkō no kage ni", False
        romanized.save()
        derive_forms(record.titles.all(), Title, {"record": record})
        romanized.refresh_from_db()
        assert romanized.text == "Shiken jikkō no kage ni"

    def test_russian_title_gets_romanization(self):
        record = RecordFactory(title=False)
        Title.objects.create(record=record, language="ru", text="Японские военнопленные в тестовом лагере")
        derive_forms(record.titles.all(), Title, {"record": record})
        romanized = Title.objects.get(record=record, language="ru-Latn")
        assert romanized.text.startswith("I͡aponskie voennoplennye")
        assert romanized.machine_made


class TestDates:
    @pytest.mark.parametrize(
        ("value", "start", "end"),
        [
            ("1945-08-23", datetime.date(1945, 8, 23), datetime.date(1945, 8, 23)),
            ("1950", datetime.date(1950, 1, 1), datetime.date(1950, 12, 31)),
            ("1950~", datetime.date(1950, 1, 1), datetime.date(1950, 12, 31)),
            ("1950?", datetime.date(1950, 1, 1), datetime.date(1950, 12, 31)),
            ("1946/1956", datetime.date(1946, 1, 1), datetime.date(1956, 12, 31)),
            ("1984/..", datetime.date(1984, 1, 1), None),
        ],
    )
    def test_bounds(self, value, start, end):
        bounds = parse_edtf_bounds(value)
        assert (bounds.start, bounds.end) == (start, end)

    @pytest.mark.parametrize("value", ["1945-02-30", "August 1945", "1956/1946", "19455"])
    def test_invalid(self, value):
        with pytest.raises(ValidationError):
            parse_edtf_bounds(value)

    def test_record_keeps_display_text_and_sortable_bounds(self):
        record = RecordFactory(date_edtf="1950~", date_display="昭和25年頃")
        record.refresh_from_db()
        assert record.date_display == "昭和25年頃"
        assert (record.date_start, record.year_start, record.year_end) == (datetime.date(1950, 1, 1), 1950, 1950)

    def test_range_counts_in_every_decade(self):
        assert decades_between(1946, 1956) == [1940, 1950]
        assert decades_between(1984, None, today=datetime.date(2026, 1, 1)) == [1980, 1990, 2000, 2010, 2020]
        ranged = RecordFactory(date_edtf="1946/1956")
        later = RecordFactory(date_edtf="1984/..")
        undated = RecordFactory(date_edtf="")
        assert set(Record.objects.in_decade(1940)) == {ranged}
        assert set(Record.objects.in_decade(1950)) == {ranged}
        assert set(Record.objects.in_decade(2000)) == {later}
        assert set(Record.objects.in_decade(1930)) == set()
        open_start = RecordFactory(date_edtf="../1950")  # known only by its end: counted in that decade alone
        assert open_start.decades() == [1950]
        assert open_start in Record.objects.in_decade(1950) and open_start not in Record.objects.in_decade(1940)
        assert list(Record.objects.undated()) == [undated]
        assert undated.undated and undated.decades() == []


class TestISBN:
    def test_invalid_checksum_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            Record(kind="document", isbn="5-00-000002-0").full_clean(exclude=["identifier"])
        assert "isbn" in excinfo.value.message_dict

    def test_stored_as_given_with_compact_forms(self):
        record = RecordFactory(isbn="ISBN 5-00-000002-1")
        record.refresh_from_db()
        assert record.isbn == "ISBN 5-00-000002-1"
        assert (record.isbn10, record.isbn13) == ("5000000021", "9785000000021")

    def test_isbn13_only(self):
        assert isbn_forms("979-10-00000-01-5") == ("", "9791000000015")
        assert isbn_forms("978-0-00-000001-9") == ("0000000019", "9780000000019")


class TestURL:
    @pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,hi"])
    def test_only_http(self, url):
        with pytest.raises(ValidationError) as excinfo:
            Record(kind="document", url=url).full_clean(exclude=["identifier"])
        assert "url" in excinfo.value.message_dict


class TestPublished:
    def test_only_published_are_public(self):
        public = RecordFactory(status=Status.PUBLISHED)
        for status in (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN):
            RecordFactory(status=status)
        assert list(Record.objects.published()) == [public]

    def test_of_kind(self):
        memoir = RecordFactory(kind=RecordKind.MEMOIR)
        RecordFactory(kind=RecordKind.DOCUMENT)
        assert list(Record.objects.of_kind("memoir")) == [memoir]


class TestPlaces:
    def test_region_includes_its_places(self):
        krai = PlaceFactory(kind=PlaceKind.KRAI, name="Khabarovsk Krai")
        city = PlaceFactory(kind=PlaceKind.CITY, parent=krai, name="Komsomolsk-on-Amur")
        camp = PlaceFactory(kind=PlaceKind.CAMP, parent=city, name="Camp")
        elsewhere = PlaceFactory(kind=PlaceKind.KRAI, name="Primorsky Krai")
        in_camp, in_krai, outside = RecordFactory(), RecordFactory(), RecordFactory()
        in_camp.places.add(camp)
        in_krai.places.add(krai)
        outside.places.add(elsewhere)
        assert set(Place.objects.within(krai)) == {krai, city, camp}
        assert set(Record.objects.in_place(krai)) == {in_camp, in_krai}
        assert set(Record.objects.in_place(city)) == {in_camp}
        assert camp.ancestors() == [krai, city]

    def test_moving_a_place_moves_its_subtree(self):
        old, new = PlaceFactory(kind=PlaceKind.OBLAST), PlaceFactory(kind=PlaceKind.OBLAST)
        city = PlaceFactory(parent=old)
        camp = PlaceFactory(kind=PlaceKind.CAMP, parent=city)
        city.parent = new
        city.save()
        record = RecordFactory()
        record.places.add(camp)
        assert set(Record.objects.in_place(new)) == {record}
        assert not Record.objects.in_place(old).exists()

    def test_names_valid_for_periods(self):
        republic = PlaceFactory(kind=PlaceKind.REPUBLIC, name="Republic of Buryatia")
        PlaceName.objects.filter(place=republic).update(valid_from=1958)
        PlaceName.objects.create(place=republic, language="en", text="Buryat-Mongol ASSR", valid_from=1923,
                                 valid_to=1958)
        republic = Place.objects.prefetch_related("names").get(pk=republic.pk)
        assert republic.display_name("en", year=1946) == "Buryat-Mongol ASSR"
        assert republic.display_name("en", year=1990) == "Republic of Buryatia"

    def test_cannot_be_its_own_ancestor(self):
        krai = PlaceFactory(kind=PlaceKind.KRAI)
        city = PlaceFactory(parent=krai)
        krai.parent = city
        with pytest.raises(ValidationError):
            krai.full_clean()


class TestAssociations:
    def test_association_describes_an_organisation(self):
        record = Record(kind=RecordKind.ASSOCIATION)
        with pytest.raises(ValidationError) as excinfo:
            record.full_clean(exclude=["identifier"])
        assert "described_agent" in excinfo.value.message_dict
        organisation = AgentFactory(kind="organisation", name="An association")
        association = RecordFactory(kind=RecordKind.ASSOCIATION, described_agent=organisation)
        association.full_clean()
        memoir = RecordFactory(kind=RecordKind.MEMOIR)
        memoir.agent_links.create(agent=organisation, role="publisher")
        assert organisation.association_record == association
        assert set(organisation.records.all()) == {memoir}
