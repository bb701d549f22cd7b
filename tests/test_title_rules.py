"""Rules on a record's titles that the admin and the import share: one preferred original per language, and a
reading in kana."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from collection.catalogue.writer import write_rows
from collection.models import AgentName, Record, Status, Title, validate_titles
from collection.text import not_kana

from .factories import AgentFactory, RecordFactory
from .roles import change_form_data, record_form

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
        page = response.content.decode()
        assert "Two original titles tagged ja are both preferred (“捕虜の記録” and “抑留記”)" in page
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
        assert "Two original titles tagged de are both preferred" in result.errors[0].message
        assert Record.objects.get(pk=record.pk).extent == ""


class TestReadingsAreKana:
    @pytest.mark.parametrize("text", ["ほりょのきろく", "ホリョ ノ キロク", "シベリア・ヨクリュウキ", "ラーゲリ〜より",
                                      "だい2しゅうようじょ", "「ほりょ」の、きろく。", "ｼﾍﾞﾘｱ"])
    def test_kana_with_spaces_marks_punctuation_and_digits_is_a_reading(self, text):
        assert not_kana(text) == []
        title(text, language="ja-Hrkt", form="reading").clean()

    @pytest.mark.parametrize(("text", "letters"), [
        ("Horyo no kiroku", "Horyo"), ("ほりょ no きろく", "no"), ("捕虜のきろく", "捕虜"), ("Плен", "Плен")])
    def test_other_letters_are_refused_and_named(self, text, letters):
        with pytest.raises(ValidationError) as refusal:
            title(text, language="ja-Hrkt", form="reading").clean()
        message = refusal.value.message_dict["text"][0]
        assert f"“{letters}” is not kana" in message and "ja-Hrkt" in message

    def test_a_reading_the_app_derived_keeps_a_letter_it_could_not_read(self):
        title("GHQのきろく", language="ja-Hrkt", form="reading", machine_made=True).clean()

    def test_names_of_agents_follow_the_same_rule(self):
        with pytest.raises(ValidationError, match="is not kana"):
            AgentName(agent=AgentFactory(), language="ja-Hrkt", form="reading", text="Tesuto Toshimasa").clean()

    def test_the_admin_refuses_a_latin_reading(self, dana, login):
        record = RecordFactory(status=Status.DRAFT, title="捕虜の記録", title__language="ja")
        data = change_form_data(record, **{
            "titles-TOTAL_FORMS": 2, "titles-1-language": "ja-Hrkt", "titles-1-text": "Horyo no kiroku",
            "titles-1-form": "reading", "titles-1-preferred": "on", "titles-1-record": record.pk})
        response = login(dana).post(reverse("admin:collection_record_change", args=[record.pk]), data)
        assert response.status_code == 200
        assert "is not kana" in response.content.decode()
        assert record.titles.count() == 1

    def test_the_admin_add_form_refuses_it_too(self, dana, login):
        client = login(dana)
        response = client.post(reverse("admin:collection_record_add"), record_form(client, **{
            "titles-TOTAL_FORMS": "2", "titles-1-language": "ja-Hrkt", "titles-1-text": "Horyo",
            "titles-1-form": "reading", "titles-1-preferred": "on"}))
        assert response.status_code == 200
        assert "is not kana" in response.content.decode()
        assert not Record.objects.exists()

    def test_the_import_names_the_row_and_the_reading_column(self):
        result = write_rows([(2, {"identifier": "mem-latin-reading", "kind": "memoir", "status": "draft",
                                  "title_ja": "捕虜の記録", "title_ja-Hrkt": "Horyo no kiroku"})])
        assert [(e.row, e.column) for e in result.errors] == [(2, "title_ja-Hrkt")]
        assert "is not kana" in result.errors[0].message
        assert not Record.objects.exists()
