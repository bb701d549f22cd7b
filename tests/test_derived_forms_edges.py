"""Readings and romanizations at the edges: admin saves, archivists' own forms, imports, revert."""

import pytest
from django.urls import reverse

from collection.catalogue.writer import write_rows
from collection.derivation import derive_forms
from collection.importing.deferral import deferred_derivation
from collection.importing.romanizations import update_missing_forms
from collection.models import AgentName, LabelForm, Language, Record, Status, Title
from collection.romanization import japanese_reading, kana_to_hepburn

from .catalogue_rows import memoir, numbered
from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory
from .roles import change_form_data, record_form

pytestmark = pytest.mark.django_db


def derived(record):
    """The record's titles by tag, as the record page and the history read them."""
    return {(t.language, t.text, t.machine_made) for t in Title.objects.filter(record=record)}


def text_of(record, tag):
    return list(Title.objects.filter(record=record, language=tag).values_list("text", flat=True))


def ja_record(text="試験実行の影に"):
    """A draft with a Japanese title and its machine-made reading and romanization, as a first save leaves it."""
    record = RecordFactory(status=Status.DRAFT, title=text, title__language="ja")
    derive_forms(record.titles.all(), Title, {"record": record})
    return record


def form_data(record, **changes):
    """The change form as the admin sends it, with every title's checkboxes as stored."""
    data = change_form_data(record)
    for i, title in enumerate(Title.objects.filter(record=record).order_by("pk")):
        assert data[f"titles-{i}-id"] == title.pk
        if title.machine_made:
            data[f"titles-{i}-machine_made"] = "on"
    data.update(changes)
    return data


def index_of(record, tag):
    pks = list(Title.objects.filter(record=record).order_by("pk").values_list("pk", flat=True))
    return pks.index(Title.objects.get(record=record, language=tag).pk)


def save(client, record, data):
    response = client.post(reverse("admin:collection_record_change", args=[record.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    return response


# 1. Revert with places, subjects and languages -----------------------------------------------------------


def test_revert_restores_places_subjects_and_languages(admin_client):
    record = RecordFactory(status=Status.PUBLISHED, title="Test record with coverage")
    first_place, second_place = PlaceFactory(name="Test place one"), PlaceFactory(name="Test place two")
    first_subject, second_subject = SubjectFactory(label="Test subject one"), SubjectFactory(label="Test subject two")
    ja, ru = Language.objects.create(tag="ja"), Language.objects.create(tag="ru")
    record.places.set([first_place])
    record.subjects.set([first_subject])
    record.languages.set([ja])
    moment = record.history.order_by("-history_id").first().history_date
    record.places.set([second_place])
    record.subjects.set([second_subject])
    record.languages.set([ru])
    record = Record.objects.get(pk=record.pk)

    response = admin_client.post(reverse("admin:collection_record_revert", args=[record.pk]), {
        "moment": moment.isoformat(), "version": record.version}, follow=True)

    assert response.status_code == 200
    assert not [m for m in response.context["messages"] if m.level_tag == "error"]
    assert list(record.places.all()) == [first_place]
    assert list(record.subjects.all()) == [first_subject]
    assert list(record.languages.all()) == [ja]
    # The history page still reads, and the restored place is found under its name.
    assert admin_client.get(reverse("admin:collection_record_history", args=[record.pk])).status_code == 200
    page = admin_client.get("/en/records/", {"q": "Test place one"})
    assert {r.identifier for r in page.context["records"]} == {record.identifier}


# 2. The admin derives from the titles as saved ---------------------------------------------------------------


def test_changed_japanese_title_gets_the_new_reading(admin_client):
    record = ja_record()
    save(admin_client, record, form_data(record, **{"titles-0-text": "私は捕虜だった"}))
    assert text_of(record, "ja-Hrkt") == [japanese_reading("私は捕虜だった")]
    assert text_of(record, "ja-Latn") == ["Watakushi wa horyodatta"]


def test_japanese_title_added_to_an_existing_record_gets_its_reading_at_once(admin_client):
    record = RecordFactory(status=Status.DRAFT, title="Test record")
    data = form_data(record, **{
        "titles-TOTAL_FORMS": 2, "titles-1-language": "ja", "titles-1-text": "試験実行の影に",
        "titles-1-form": "original", "titles-1-preferred": "on",
    })
    save(admin_client, record, data)
    assert text_of(record, "ja-Hrkt") == ["シケン ジッコウ ノ カゲ ニ"]
    assert text_of(record, "ja-Latn") == ["Shiken jikkō no kage ni"]


def test_corrected_reading_is_kept_and_its_history_matches_the_database(admin_client):
    record = ja_record()
    at = index_of(record, "ja-Hrkt")
    data = form_data(record, **{f"titles-{at}-text": "シケン ジッコウ ノ カゲニ"})
    del data[f"titles-{at}-machine_made"]  # the archivist unticks machine-made
    save(admin_client, record, data)

    reading = Title.objects.get(record=record, language="ja-Hrkt")
    assert (reading.text, reading.machine_made) == ("シケン ジッコウ ノ カゲニ", False)
    assert text_of(record, "ja-Latn") == ["Shiken jikkō no kageni"]  # a corrected reading re-derives its romanization
    for title in Title.objects.filter(record=record):
        latest = title.history.order_by("-history_id").first()
        assert (latest.text, latest.machine_made) == (title.text, title.machine_made), title.language


def test_japanese_title_added_then_deleted(admin_client):
    record = RecordFactory(status=Status.DRAFT, title="Test record")
    save(admin_client, record, form_data(record, **{
        "titles-TOTAL_FORMS": 2, "titles-1-language": "ja", "titles-1-text": "試験実行の影に",
        "titles-1-form": "original", "titles-1-preferred": "on",
    }))
    ja = Title.objects.get(record=record, language="ja")
    data = form_data(record)
    data[f"titles-{index_of(record, 'ja')}-DELETE"] = "on"
    save(admin_client, record, data)
    assert not Title.objects.filter(pk=ja.pk).exists()
    assert list(Title.objects.filter(record=record).values_list("text", flat=True)) == ["Test record"]


def test_agent_name_changed_in_the_admin_gets_the_new_romanization(admin_client):
    agent = AgentFactory(name="Тестов", name__language="ru")
    derive_forms(agent.names.all(), AgentName, {"agent": agent})
    names = list(AgentName.objects.filter(agent=agent).order_by("pk"))
    agent.refresh_from_db()
    data = {"kind": agent.kind, "loaded_version": agent.version,
            "names-TOTAL_FORMS": len(names), "names-INITIAL_FORMS": len(names)}
    for i, name in enumerate(names):
        data |= {f"names-{i}-id": name.pk, f"names-{i}-agent": agent.pk, f"names-{i}-language": name.language,
                 f"names-{i}-text": name.text, f"names-{i}-form": name.form, f"names-{i}-preferred": "on"}
        if name.machine_made:
            data[f"names-{i}-machine_made"] = "on"
    data["names-0-text"] = "Другов"
    response = admin_client.post(reverse("admin:collection_agent_change", args=[agent.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(AgentName.objects.filter(agent=agent, language="ru-Latn").values_list("text", flat=True)) == [
        "Drugov"]


# 3. An edited machine-made text is a correction ----------------------------------------------------------------


def test_edited_machine_made_reading_is_a_correction_even_left_ticked(admin_client):
    record = ja_record()
    at = index_of(record, "ja-Hrkt")
    save(admin_client, record, form_data(record, **{f"titles-{at}-text": "シケン ジッコウ ノ カゲニ"}))
    reading = Title.objects.get(record=record, language="ja-Hrkt")
    assert (reading.text, reading.machine_made) == ("シケン ジッコウ ノ カゲニ", False)
    # Saved again untouched: the correction stays.
    save(admin_client, record, form_data(record))
    assert text_of(record, "ja-Hrkt") == ["シケン ジッコウ ノ カゲニ"]
    assert text_of(record, "ja-Latn") == ["Shiken jikkō no kageni"]


def test_untouched_machine_made_form_stays_machine_made(admin_client):
    record = ja_record()
    save(admin_client, record, form_data(record, date_display="test date"))
    assert Title.objects.get(record=record, language="ja-Hrkt").machine_made


# 4. No machine-made double of an archivist's form ---------------------------------------------------------------


def test_archivists_romanization_on_a_new_record_is_not_doubled(admin_client):
    data = record_form(admin_client, **{
        "kind": "memoir", "date_edtf": "", "resource_type": "",
        "titles-TOTAL_FORMS": "2", "titles-INITIAL_FORMS": "0",
        "titles-0-language": "ja", "titles-0-text": "私は収容所へ行った", "titles-0-form": "original",
        "titles-0-preferred": "on",
        "titles-1-language": "ja-Latn", "titles-1-text": "Watashi wa shūyōjo e itta", "titles-1-form": "romanization",
        "titles-1-preferred": "on",
    })
    response = admin_client.post(reverse("admin:collection_record_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    record = Record.objects.get()
    assert text_of(record, "ja-Latn") == ["Watashi wa shūyōjo e itta"]
    assert text_of(record, "ja-Hrkt") == [japanese_reading("私は収容所へ行った")]
    # Saved again: still one romanization, the archivist's.
    save(admin_client, record, form_data(record))
    assert text_of(record, "ja-Latn") == ["Watashi wa shūyōjo e itta"]


def test_imported_reading_is_not_doubled_and_gives_the_romanization():
    with deferred_derivation():
        assert write_rows(numbered(memoir(**{"title_ja": "抑留記", "title_ja-Hrkt": "ヨクリュウ キ"}))).ok
    update_missing_forms(records=["mem-test-1"])
    record = Record.objects.get()
    assert derived(record) >= {("ja-Hrkt", "ヨクリュウ キ", False), ("ja-Latn", "Yokuryū ki", True)}
    assert len(text_of(record, "ja-Hrkt")) == 1
    # Run again (the next import of the record): nothing is added.
    update_missing_forms(records=["mem-test-1"])
    assert len(text_of(record, "ja-Hrkt")) == 1 and len(text_of(record, "ja-Latn")) == 1


def test_machine_made_double_of_an_archivists_reading_is_removed():
    record = ja_record("抑留記")
    Title.objects.create(record=record, language="ja-Hrkt", text="ヨクリュウ キ", form=LabelForm.READING)
    derive_forms(Title.objects.filter(record=record), Title, {"record": record})
    assert text_of(record, "ja-Hrkt") == ["ヨクリュウ キ"]
    assert text_of(record, "ja-Latn") == ["Yokuryū ki"]


def test_archivists_variant_romanization_does_not_stand_for_the_preferred_title():
    record = ja_record("試験実行の影に")
    Title.objects.create(record=record, language="ja-Latn", text="Shiken jikko no kage ni", preferred=False,
                         form=LabelForm.ROMANIZATION)
    derive_forms(Title.objects.filter(record=record), Title, {"record": record})
    assert sorted(text_of(record, "ja-Latn")) == ["Shiken jikko no kage ni", "Shiken jikkō no kage ni"]


# 5. Forms derived after an import are searchable ------------------------------------------------------------------


def test_romanized_search_finds_a_record_once_its_forms_are_derived(client):
    agent_row = {"authors": "Тестов Иван"}
    with deferred_derivation():
        assert write_rows(numbered(memoir(status="published", title_ja="シベリア抑留記", **agent_row))).ok

    def found(query):
        page = client.get("/en/records/", {"q": query})
        return {r.identifier for r in page.context["records"]}

    assert found("shiberia yokuryu") == set()
    update_missing_forms(records=["mem-test-1"])
    assert found("shiberia yokuryu") == found("yokuryū") == {"mem-test-1"}
    assert found("Testov") == {"mem-test-1"}  # the agent's romanized name


def test_a_subjects_derived_romanization_is_searched_once_derived(client):
    from tests.factories import titled

    subject = SubjectFactory(label="抑留者", label__language="ja")
    record = titled("Test memoir")
    record.subjects.add(subject)

    def found(query):
        return {r.identifier for r in client.get("/en/records/", {"q": query}).context["records"]}

    assert found("yokuryusha") == set()
    update_missing_forms()
    assert found("yokuryusha") == {record.identifier}


# 6. Particles ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "romanized"), [
    ("私は捕虜だった", "Watakushi wa horyodatta"),
    ("日本へ帰る", "Nihon e kaeru"),
    ("手紙を書く", "Tegami o kaku"),
])
def test_particles_are_romanized_as_pronounced(title, romanized):
    record = ja_record(title)
    assert text_of(record, "ja-Latn") == [romanized]
    assert text_of(record, "ja-Hrkt") == [japanese_reading(title)]
    assert kana_to_hepburn(japanese_reading(title)) == romanized.lower()


def test_particle_reading_is_written_as_pronounced_and_other_kana_as_written():
    assert japanese_reading("私は捕虜だった").split()[:2] == ["ワタクシ", "ワ"]
    assert japanese_reading("日本へ帰る").split()[1] == "エ"
    assert "ハ" in japanese_reading("歯を磨く")  # は as a word, not a particle, keeps its kana


# 7. Unknown kanji ------------------------------------------------------------------------------------------------


def test_no_machine_made_form_that_keeps_an_unknown_kanji():
    record = ja_record("𡈽屋①の手記～抑留記")
    assert text_of(record, "ja-Hrkt") == [] and text_of(record, "ja-Latn") == []
    agent = AgentFactory(name="𡈽屋 一郎", name__language="ja")
    derive_forms(agent.names.all(), AgentName, {"agent": agent})
    assert list(agent.names.values_list("language", flat=True)) == ["ja"]


def test_archivists_reading_of_an_unknown_kanji_gives_the_romanization():
    record = ja_record("𡈽屋の手記")
    Title.objects.create(record=record, language="ja-Hrkt", text="ツチヤ ノ シュキ", form=LabelForm.READING)
    derive_forms(Title.objects.filter(record=record), Title, {"record": record})
    assert text_of(record, "ja-Latn") == ["Tsuchiya no shuki"]


def test_title_changed_to_an_unknown_kanji_loses_its_old_machine_made_forms(admin_client):
    record = ja_record()
    save(admin_client, record, form_data(record, **{"titles-0-text": "𡈽屋の手記"}))
    assert text_of(record, "ja-Hrkt") == [] and text_of(record, "ja-Latn") == []


def test_without_a_dictionary_machine_made_readings_are_kept(settings):
    record = ja_record()
    settings.COLLECTION_DERIVE_READINGS = False
    derive_forms(Title.objects.filter(record=record), Title, {"record": record})
    assert text_of(record, "ja-Hrkt") == ["シケン ジッコウ ノ カゲ ニ"]
    assert text_of(record, "ja-Latn") == ["Shiken jikkō no kage ni"]


def test_title_with_the_archivists_forms_is_not_missing_any():
    from collection.importing.romanizations import missing_count

    with deferred_derivation():
        assert write_rows(numbered(memoir(**{"title_ja": "抑留記", "title_ja-Hrkt": "ヨクリュウ キ",
                                             "title_ja-Latn": "Yokuryū ki"}))).ok
    assert missing_count() == 0
    assert update_missing_forms() == 0
