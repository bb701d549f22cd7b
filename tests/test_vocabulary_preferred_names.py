"""A place, subject or agent has one preferred name per language tag, as a record has one preferred original title:
its sheet has one name column per tag, so a second preferred name would be dropped by an export and lost by an
import elsewhere. The admin and the import refuse two; readings and romanizations the app derives are not counted."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from collection.catalogue.files import read_table
from collection.catalogue.vocabulary import write_vocabulary
from collection.catalogue.vocabulary_files import export_vocabulary_file, import_vocabulary
from collection.derivation import derive_forms
from collection.models import Agent, AgentName, LabelForm, Place, PlaceName, Subject, SubjectLabel
from collection.models.labels import validate_names

from .factories import AgentFactory, PlaceFactory, SubjectFactory

pytestmark = pytest.mark.django_db

# vocabulary: (entry model, name model, the names' related name, the name's key to its entry, factory, its keyword)
VOCABULARIES = {
    "places": (Place, PlaceName, "names", "place", PlaceFactory, "name"),
    "subjects": (Subject, SubjectLabel, "labels", "subject", SubjectFactory, "label"),
    "agents": (Agent, AgentName, "names", "agent", AgentFactory, "name"),
}


def name(text, language="en", form=LabelForm.ORIGINAL, preferred=True, **fields):
    return PlaceName(text=text, language=language, form=form, preferred=preferred, **fields)


def entry_named(vocabulary, text="Test entry"):
    _model, _names, _related, _owner, factory, keyword = VOCABULARIES[vocabulary]
    return factory(**{keyword: text})


def add_name(vocabulary, entry, text, language="en", **fields):
    _model, names, _related, owner, _factory, _keyword = VOCABULARIES[vocabulary]
    return names.objects.create(**{owner: entry}, text=text, language=language, **fields)


def stored_names(vocabulary, entry):
    _model, names, _related, owner, _factory, _keyword = VOCABULARIES[vocabulary]
    return list(names.objects.filter(**{owner: entry}).order_by("pk").values_list("language", "text", "preferred"))


def derive(vocabulary, entry):
    _model, names, related, owner, _factory, _keyword = VOCABULARIES[vocabulary]
    derive_forms(getattr(entry, related).order_by("pk"), names, {owner: entry})


def change_url(entry):
    return reverse(f"admin:collection_{entry._meta.model_name}_change", args=[entry.pk])


def change_form_data(vocabulary, entry, **changes):
    """The POST the entry's change form sends when saved untouched, with ``changes`` applied."""
    model, _names, related, owner, _factory, _keyword = VOCABULARIES[vocabulary]
    entry = model.objects.get(pk=entry.pk)
    data = {"loaded_version": entry.version}
    if hasattr(entry, "kind"):
        data["kind"] = entry.kind
    labels = list(getattr(entry, related).order_by("pk"))
    data |= {
        f"{related}-TOTAL_FORMS": len(labels),
        f"{related}-INITIAL_FORMS": len(labels),
        f"{related}-MIN_NUM_FORMS": 0,
        f"{related}-MAX_NUM_FORMS": 1000,
    }
    for i, label in enumerate(labels):
        data |= {
            f"{related}-{i}-id": label.pk,
            f"{related}-{i}-{owner}": entry.pk,
            f"{related}-{i}-language": label.language,
            f"{related}-{i}-text": label.text,
            f"{related}-{i}-form": label.form,
            f"{related}-{i}-source": label.source,
        }
        if label.preferred:
            data[f"{related}-{i}-preferred"] = "on"
        if label.machine_made:
            data[f"{related}-{i}-machine_made"] = "on"
    return data | changes


def with_new_name(vocabulary, entry, text, language="en", preferred=True):
    """The change form's data with one more name typed in its empty row."""
    _model, _names, related, owner, _factory, _keyword = VOCABULARIES[vocabulary]
    data = change_form_data(vocabulary, entry)
    i = data[f"{related}-TOTAL_FORMS"]
    data |= {
        f"{related}-TOTAL_FORMS": i + 1,
        f"{related}-{i}-{owner}": entry.pk,
        f"{related}-{i}-language": language,
        f"{related}-{i}-text": text,
        f"{related}-{i}-form": "original",
    }
    if preferred:
        data[f"{related}-{i}-preferred"] = "on"
    return data


def exported(vocabulary):
    out = io.BytesIO()
    export_vocabulary_file(vocabulary, out, "csv")
    return out.getvalue()


def messages(result):
    return [f"row {error.row}, column {error.column}: {error.message}" for error in result.errors]


class TestTheRule:
    def test_two_preferred_names_in_one_language_are_refused(self):
        with pytest.raises(ValidationError, match="both preferred") as refusal:
            validate_names([name("Test camp"), name("Test settlement")])
        assert refusal.value.code == "preferred_names"
        assert refusal.value.params == {"language": "en", "first": "Test camp", "second": "Test settlement"}

    def test_the_tag_is_compared_whatever_its_letter_case(self):
        with pytest.raises(ValidationError, match="both preferred"):
            validate_names([name("テスト収容所", language="ja"), name("テスト村", language="JA")])

    def test_whatever_their_forms(self):
        # The sheet's name_ja column holds one of them, original or translation: the other would not travel.
        with pytest.raises(ValidationError, match="both preferred"):
            validate_names(
                [name("テスト収容所", language="ja"), name("テスト村", language="ja", form=LabelForm.TRANSLATION)]
            )

    @pytest.mark.parametrize(
        "other",
        [
            name("Test settlement", preferred=False),  # a variant
            name("Тестовый лагерь", language="ru"),  # another language
            name("Test camp", language="en-GB"),  # another tag
            name("", language="en"),  # an empty row of the admin's inline
        ],
    )
    def test_variants_other_tags_and_blank_names_are_not(self, other):
        validate_names([name("Test camp"), other])

    def test_readings_and_romanizations_the_app_derived_are_not(self):
        # Two sources in two tags of Russian: each has its own machine-made romanization in ru-Latn.
        sources = [name("Тестовка", language="ru", pk=1), name("Тестово", language="ru-Cyrl", pk=2)]
        derived = [
            name(
                "Testovka", language="ru-Latn", form=LabelForm.ROMANIZATION, machine_made=True, derived_from=sources[0]
            ),
            name(
                "Testovo", language="ru-Latn", form=LabelForm.ROMANIZATION, machine_made=True, derived_from=sources[1]
            ),
        ]
        validate_names([*sources, *derived])
        # Corrected by an archivist, a derived form still goes with its source.
        derived[0].machine_made = False
        validate_names([*sources, *derived])

    def test_two_romanizations_an_archivist_entered_are(self):
        with pytest.raises(ValidationError, match="both preferred"):
            validate_names(
                [
                    name("Testovka", language="ru-Latn", form=LabelForm.ROMANIZATION),
                    name("Testovo", language="ru-Latn", form=LabelForm.ROMANIZATION),
                ]
            )


@pytest.mark.parametrize("vocabulary", VOCABULARIES)
class TestInTheAdmin:
    def test_the_change_form_refuses_a_second_preferred_name_naming_both(self, vocabulary, dana, login):
        entry = entry_named(vocabulary, "Test entry")
        before = stored_names(vocabulary, entry)
        response = login(dana).post(change_url(entry), with_new_name(vocabulary, entry, "Test other entry"))
        assert response.status_code == 200
        page = response.content.decode()
        assert (
            "Two names tagged en are both preferred (“Test entry” and “Test other entry”): an entry has one "
            "preferred name per language, whatever its form. Untick “preferred” on one of them: it then "
            "stays as a variant name."
        ) in page
        assert stored_names(vocabulary, entry) == before

    def test_unticked_the_second_is_saved_as_a_variant(self, vocabulary, dana, login):
        entry = entry_named(vocabulary, "Test entry")
        response = login(dana).post(
            change_url(entry), with_new_name(vocabulary, entry, "Test other entry", preferred=False)
        )
        assert response.status_code == 302
        assert stored_names(vocabulary, entry) == [("en", "Test entry", True), ("en", "Test other entry", False)]

    def test_an_entry_stored_with_two_is_refused_until_one_is_unticked(self, vocabulary, dana, login):
        entry = entry_named(vocabulary, "Test entry")
        add_name(vocabulary, entry, "Test other entry")  # stored before the rule
        client = login(dana)
        data = change_form_data(vocabulary, entry)
        assert "both preferred" in client.post(change_url(entry), data).content.decode()
        related = VOCABULARIES[vocabulary][2]
        del data[f"{related}-1-preferred"]
        assert client.post(change_url(entry), data).status_code == 302
        assert stored_names(vocabulary, entry) == [("en", "Test entry", True), ("en", "Test other entry", False)]

    def test_machine_made_romanizations_of_two_sources_do_not_trip_it(self, vocabulary, dana, login):
        entry = entry_named(vocabulary, "Тестовка")
        VOCABULARIES[vocabulary][1].objects.filter(text="Тестовка").update(language="ru")
        add_name(vocabulary, entry, "Тестово", language="ru-Cyrl")
        derive(vocabulary, entry)
        romanized = [
            (language, text)
            for language, text, preferred in stored_names(vocabulary, entry)
            if language == "ru-Latn" and preferred
        ]
        assert romanized == [("ru-Latn", "Testovka"), ("ru-Latn", "Testovo")]
        client = login(dana)
        response = client.post(change_url(entry), change_form_data(vocabulary, entry))
        assert response.status_code == 302
        # An archivist's correction of one of them still goes with its source.
        data = change_form_data(vocabulary, entry)
        related = VOCABULARIES[vocabulary][2]
        at = next(i for i in range(data[f"{related}-TOTAL_FORMS"]) if data[f"{related}-{i}-text"] == "Testovo")
        data[f"{related}-{at}-text"] = "Testowo"
        assert client.post(change_url(entry), data).status_code == 302
        assert ("ru-Latn", "Testowo", True) in stored_names(vocabulary, entry)


@pytest.mark.parametrize("vocabulary", VOCABULARIES)
class TestInASheet:
    def test_a_row_changing_an_entry_stored_with_two_names_the_row_the_column_and_both(self, vocabulary):
        entry = entry_named(vocabulary, "Test entry")
        add_name(vocabulary, entry, "Test other entry")
        result = write_vocabulary(vocabulary, [(2, {"identifier": entry.identifier, "name_ja": "テスト"})])
        assert messages(result) == [
            "row 2, column name_en: The entry has two preferred names tagged en (“Test entry” and “Test other entry”), "
            "and the sheet shows one name per language: untick “preferred” on one of them in the admin (it then "
            "stays as a variant name), then import the row again."
        ]
        assert ("ja", "テスト", True) not in stored_names(vocabulary, entry)

    def test_its_exported_row_imports_back_unchanged(self, vocabulary):
        entry = entry_named(vocabulary, "Test entry")
        add_name(vocabulary, entry, "Test other entry")
        before = stored_names(vocabulary, entry)
        result = import_vocabulary(vocabulary, read_table(exported(vocabulary), name="sheet.csv"))
        assert result.ok, messages(result)
        assert result.unchanged[vocabulary] == 1
        assert stored_names(vocabulary, entry) == before

    def test_a_row_clearing_the_first_leaves_the_second_the_preferred_name(self, vocabulary):
        entry = entry_named(vocabulary, "Test entry")
        add_name(vocabulary, entry, "Test other entry")
        result = write_vocabulary(
            vocabulary, [(2, {"identifier": entry.identifier, "name_en": "[clear]", "name_ja": "テスト"})]
        )
        assert result.ok, messages(result)
        assert [stored for stored in stored_names(vocabulary, entry) if stored[0] == "en"] == [
            ("en", "Test other entry", True)
        ]

    def test_an_entry_the_admin_saved_travels_whole(self, vocabulary, dana, login):
        entry = entry_named(vocabulary, "Test entry")
        login(dana).post(change_url(entry), with_new_name(vocabulary, entry, "Test other entry", preferred=False))
        first = exported(vocabulary)
        model = VOCABULARIES[vocabulary][0]
        model.objects.all().delete()
        result = import_vocabulary(vocabulary, read_table(first, name="sheet.csv"))
        assert result.ok, messages(result)
        assert exported(vocabulary) == first
        entry = model.objects.get(identifier=entry.identifier)
        assert stored_names(vocabulary, entry) == [("en", "Test entry", True), ("en", "Test other entry", False)]
