"""Rules on a record's titles that the admin and the import share."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from collection.catalogue.writer import write_rows
from collection.models import Record, Status, Title, validate_titles

from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def title(text, language="ja", form="original", preferred=True, **fields):
    return Title(text=text, language=language, form=form, preferred=preferred, **fields)


class TestOnePreferredOriginalPerLanguage:
    def test_two_preferred_originals_in_one_language_are_refused(self):
        with pytest.raises(ValidationError, match="both preferred") as refusal:
            validate_titles([title("捕虜の記録"), title("抑留記")])
        assert refusal.value.code == "preferred_originals"
        assert refusal.value.params["language"] == "ja"

    def test_the_tag_is_compared_whatever_its_letter_case(self):
        with pytest.raises(ValidationError, match="both preferred"):
            validate_titles([title("捕虜の記録"), title("抑留記", language="JA")])

    @pytest.mark.parametrize("other", [
        title("抑留記", preferred=False),  # a variant
        title("Записки пленного", language="ru"),  # another language
        title("Horyo no kiroku", language="ja-Latn", form="romanization"),
        title("ほりょのきろく", language="ja-Hrkt", form="reading"),
        title("Records of a prisoner", language="en", form="translation"),
    ])
    def test_variants_other_languages_and_other_forms_are_not(self, other):
        validate_titles([title("捕虜の記録"), other])

    def test_two_scripts_of_one_language_may_both_be_preferred(self):
        validate_titles([title("Zapisi", language="sr-Latn"), title("Записи", language="sr-Cyrl")])

    def test_the_admin_refuses_them_and_stores_nothing(self, dana, login):
        record = RecordFactory(status=Status.DRAFT, title="捕虜の記録", title__language="ja")
        data = change_form_data(record, **{
            "titles-TOTAL_FORMS": 2, "titles-1-language": "ja", "titles-1-text": "抑留記",
            "titles-1-form": "original", "titles-1-preferred": "on", "titles-1-record": record.pk})
        response = login(dana).post(reverse("admin:collection_record_change", args=[record.pk]), data)
        assert response.status_code == 200
        assert "Two original titles in ja are both preferred (“捕虜の記録” and “抑留記”)" in response.content.decode()
        assert list(record.titles.values_list("text", flat=True)) == ["捕虜の記録"]

    def test_the_admin_takes_the_second_as_a_variant(self, dana, login):
        record = RecordFactory(status=Status.DRAFT, title="捕虜の記録", title__language="ja")
        data = change_form_data(record, **{
            "titles-TOTAL_FORMS": 2, "titles-1-language": "ja", "titles-1-text": "抑留記",
            "titles-1-form": "original", "titles-1-record": record.pk})
        response = login(dana).post(reverse("admin:collection_record_change", args=[record.pk]), data)
        assert response.status_code == 302
        assert record.titles.filter(form="original").count() == 2

    def test_the_import_names_the_row_and_a_title_column(self):
        record = RecordFactory(status=Status.DRAFT, identifier="mem-two-originals", title=False, kind="memoir")
        Title.objects.create(record=record, language="de", text="Erinnerungen", form="original")
        Title.objects.create(record=record, language="de", text="Aufzeichnungen", form="original")
        result = write_rows([(2, {"identifier": "mem-two-originals", "kind": "memoir", "status": "draft",
                                  "title_en": "Memoirs", "extent": "12 p."})])
        assert [(e.row, e.column) for e in result.errors] == [(2, "title_en")]
        assert "Two original titles in de are both preferred" in result.errors[0].message
        assert Record.objects.get(pk=record.pk).extent == ""
