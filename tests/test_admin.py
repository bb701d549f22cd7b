"""The admin: every model registered, inline titles, and bad input refused with nothing saved."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import strip_tags

from collection.models import Agent, Language, Place, Record, Subject, Title

from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory
from .roles import record_form

pytestmark = pytest.mark.django_db




def test_every_model_registered():
    for model in (Record, Agent, Place, Subject, Language):
        assert admin.site.is_registered(model), model


def test_valid_record_saved_with_derived_romanization(admin_client):
    response = admin_client.post(reverse("admin:collection_record_add"), record_form(admin_client))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    record = Record.objects.get()
    assert record.identifier.startswith("doc-")
    romanized = Title.objects.get(record=record, language="ru-Latn")
    assert romanized.machine_made and romanized.text.startswith("O prieme")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("isbn", "5-00-000002-0", "not a valid ISBN"),
        ("date_edtf", "1945-02-30", "not a day of the calendar: the last day of that month is 1945-02-28"),
        ("url", "javascript:alert(1)", "Enter a URL that starts with http:// or https://."),
    ],
)
def test_bad_input_refused(admin_client, field, value, message):
    response = admin_client.post(reverse("admin:collection_record_add"), record_form(admin_client, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Record.objects.exists() and not Title.objects.exists()


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Enter the date as YYYY-MM-DD, for example 2010-12-31."),
    ("ja", "日付は YYYY-MM-DD の形で入力してください（例：2010-12-31）。"),
    ("ru", "Введите дату в формате ГГГГ-ММ-ДД, например 2010-12-31."),
])
def test_a_bad_accessed_date_is_told_the_format_expected(admin_client, language, message):
    data = record_form(admin_client, accessed="15/13/2024")
    response = admin_client.post(reverse("admin:collection_record_add"), data, headers={"accept-language": language})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["accessed"] == [message]
    assert not Record.objects.exists()


def test_record_without_any_title_refused(admin_client):
    response = admin_client.post(reverse("admin:collection_record_add"),
                                 record_form(admin_client, **{"titles-0-text": "", "titles-0-language": ""}))
    assert response.status_code == 200
    assert "at least one title" in response.content.decode()
    assert not Record.objects.exists()


def test_identifier_read_only_on_change(admin_client):
    record = RecordFactory(identifier="doc-keep")
    response = admin_client.get(reverse("admin:collection_record_change", args=[record.pk]))
    assert 'name="identifier"' not in response.content.decode()


def test_changelist_search_by_title_and_isbn(admin_client):
    RecordFactory(title="Военнопленные тестового лагеря", isbn="5-00-000002-1")
    RecordFactory(title="Something else")
    url = reverse("admin:collection_record_changelist")
    assert "Военнопленные" in admin_client.get(url, {"q": "Военнопленные"}).content.decode()
    response = admin_client.get(url, {"q": "9785000000021"})
    assert response.context["cl"].result_count == 1


def test_changelist_shows_each_record_title_in_the_admins_language_beside_its_identifier(admin_client):
    record = RecordFactory(identifier="doc-test-titles", title="テスト記録", title__language="ja")
    Title.objects.create(record=record, language="en", text="Test record")
    url = reverse("admin:collection_record_changelist")
    for language, title in (("ja", "テスト記録"), ("en", "Test record")):
        html = admin_client.get(url, headers={"accept-language": language}).content.decode()
        # The title alone: the identifier has its own column.
        assert f'<td class="field-title">{title}</td>' in html, language


def test_autocomplete_for_authorities(admin_client):
    AgentFactory(kind="organisation", name="Государственный архив Приморского края")
    PlaceFactory(name="Kansk")
    SubjectFactory(label="Repatriation")
    for model, term in (("agent", "архив"), ("place", "Kansk"), ("subject", "Repatr")):
        response = admin_client.get(reverse("admin:autocomplete"), {
            "app_label": "collection", "model_name": "record", "field_name":
            {"agent": "repository", "place": "places", "subject": "subjects"}[model], "term": term,
        })
        assert response.status_code == 200, model
        assert response.json()["results"], model


def test_admin_in_japanese_and_russian(admin_client):
    url = reverse("admin:collection_record_add")
    ja = admin_client.get(url, headers={"accept-language": "ja"}).content.decode()
    ru = admin_client.get(url, headers={"accept-language": "ru"}).content.decode()
    assert "書誌情報" in ja  # the "Bibliographic" fieldset
    assert "Библиографические сведения" in ru


def _draft_with_derived_japanese_title():
    from collection.derivation import derive_forms

    record = RecordFactory(status="draft", title="東京の記録", title__language="ja")
    derive_forms(record.titles.all(), Title, {"record": record})
    assert set(record.titles.values_list("language", flat=True)) == {"ja", "ja-Hrkt", "ja-Latn"}
    return record


def _form_data_deleting_the_japanese_original(record):
    """The change form as the page sends it (machine-made forms ticked so), with Delete ticked on ``ja``."""
    from .roles import change_form_data

    data = change_form_data(record)
    for i in range(int(data["titles-TOTAL_FORMS"])):
        title = Title.objects.get(pk=data[f"titles-{i}-id"])
        if title.machine_made:
            data[f"titles-{i}-machine_made"] = "on"
        if title.language == "ja":
            data[f"titles-{i}-DELETE"] = "on"
    return data


@pytest.mark.parametrize(("language", "message"), [
    ("en", "A record needs at least one title in some language."),
    ("ja", "資料には、いずれかの言語のタイトルが少なくとも1つ必要です。"),
])
def test_deleting_the_only_original_title_is_refused_though_its_reading_and_romanization_are_left(
        alice, login, language, message):
    record = _draft_with_derived_japanese_title()
    response = login(alice).post(reverse("admin:collection_record_change", args=[record.pk]),
                                 _form_data_deleting_the_japanese_original(record),
                                 headers={"accept-language": language})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert record.titles.count() == 3


@pytest.mark.parametrize("reading_edited", [False, True])
def test_deleting_an_original_title_takes_its_reading_and_romanization_while_another_title_is_kept(
        alice, login, reading_edited):
    record = _draft_with_derived_japanese_title()
    Title.objects.create(record=record, language="en", text="Test record in Tokyo")
    data = _form_data_deleting_the_japanese_original(record)
    if reading_edited:
        # Saved as it was typed, the corrected reading would be written back pointing at a title that is gone.
        reading = next(i for i in range(4) if data[f"titles-{i}-language"] == "ja-Hrkt")
        data[f"titles-{reading}-text"] = "とうきょうのきろく"
    response = login(alice).post(reverse("admin:collection_record_change", args=[record.pk]), data)
    assert response.status_code == 302
    assert list(record.titles.values_list("language", flat=True)) == ["en"]


# Labels that are the same in every language.
SAME_IN_EVERY_LANGUAGE = {"SHA-256"}


@pytest.mark.parametrize("language", ["ja", "ru"])
def test_every_column_and_read_only_field_of_the_apps_admin_has_a_translated_label(language):
    from django.contrib.admin.utils import label_for_field
    from django.utils import translation

    untranslated = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "collection":
            continue
        names = [*model_admin.list_display, *model_admin.readonly_fields,
                 *(getattr(model_admin, "history_list_display", None) or [])]
        for name in names:
            with translation.override("en"):
                english = str(label_for_field(name, model, model_admin))
            with translation.override(language):
                translated = str(label_for_field(name, model, model_admin))
            if translated == english and english not in SAME_IN_EVERY_LANGUAGE:
                untranslated.append(f"{model.__name__}.{name}: {english}")
    assert untranslated == []


def test_every_field_of_a_model_in_the_admin_has_a_translatable_label():
    from django.utils.functional import Promise

    plain = [f"{model.__name__}.{field.name}"
             for model in admin.site._registry if model._meta.app_label == "collection"
             for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
             if not field.primary_key and not isinstance(field.verbose_name, Promise)]
    assert plain == []


def column_headers(html):
    """The changelist's column headers as shown (the action checkbox's has no text)."""
    import re

    return re.findall(r'<div class="text">(?:<a [^>]*>|<span>)([^<]+)<', html)


@pytest.mark.parametrize(("language", "headers"), [
    ("ja", ["識別子", "資料", "予約日時", "削除日時", "削除したユーザー"]),
    ("ru", ["Идентификатор", "Запись", "Дата резервирования", "Дата удаления", "Кем удалено"]),
])
def test_reserved_identifiers_list_headers_in_the_admins_language(admin_client, language, headers):
    RecordFactory()
    page = admin_client.get(reverse("admin:collection_reservedidentifier_changelist"),
                            headers={"accept-language": language})
    assert column_headers(page.content.decode()) == headers


@pytest.mark.parametrize(("language", "header"), [("ja", "更新日時"), ("ru", "Изменено")])
def test_record_list_modified_column_in_the_admins_language(admin_client, language, header):
    RecordFactory()
    page = admin_client.get(reverse("admin:collection_record_changelist"), headers={"accept-language": language})
    assert column_headers(page.content.decode())[-1] == header


@pytest.mark.parametrize(("language", "labels"), [
    ("ja", ["アップロードしたユーザー:", "作成日時:", "更新日時:"]),
    ("ru", ["Кем загружено:", "Создано:", "Изменено:"]),
])
def test_image_page_labels_in_the_admins_language(admin_client, language, labels):
    from collection.images import inspect_upload
    from collection.models import add_images

    from . import imaging

    [image] = add_images(RecordFactory(), inspect_upload(imaging.upload(imaging.jpeg(), "p.jpg"), "p.jpg"))
    page = admin_client.get(reverse("admin:collection_recordimage_change", args=[image.pk]),
                            headers={"accept-language": language}).content.decode()
    for label in labels:
        assert f"<label>{label}</label>" in page


def named_place(identifier, english, japanese, parent=None):
    from collection.models import PlaceName

    place = PlaceFactory(identifier=identifier, name=english, parent=parent)
    PlaceName.objects.create(place=place, language="ja", text=japanese)
    return place


@pytest.mark.parametrize(("language", "names"), [("ja", ["タイシェト", "イルクーツク州"]),
                                                 ("en", ["Taishet", "Irkutsk Oblast"])])
def test_place_list_names_places_and_parents_in_the_admins_language(admin_client, language, names):
    region = named_place("place-irkutsk", "Irkutsk Oblast", "イルクーツク州")
    named_place("place-taishet", "Taishet", "タイシェト", parent=region)
    page = admin_client.get(reverse("admin:collection_place_changelist"), {"q": "place-taishet"},
                            headers={"accept-language": language}).content.decode()
    assert f'<td class="field-__str__">{names[0]}</td>' in page
    assert f'<td class="field-parent nowrap">{names[1]}</td>' in page


@pytest.mark.parametrize(("model", "factory", "field"), [
    ("agent", AgentFactory, "name"), ("subject", SubjectFactory, "label")])
def test_agent_and_subject_lists_name_entries_in_the_admins_language(admin_client, model, factory, field):
    from collection.models import AgentName, SubjectLabel

    entry = factory(**{field: "Test entry in English"})
    label_model, owner = {"agent": (AgentName, "agent"), "subject": (SubjectLabel, "subject")}[model]
    label_model.objects.create(**{owner: entry}, language="ru", text="Тестовая запись")
    url = reverse(f"admin:collection_{model}_changelist")
    for language, name in (("ru", "Тестовая запись"), ("en", "Test entry in English")):
        page = admin_client.get(url, headers={"accept-language": language}).content.decode()
        assert f'<td class="field-__str__">{name}</td>' in page, language


def autocomplete(client, field, term, language="en"):
    page = client.get(reverse("admin:autocomplete"), {
        "app_label": "collection", "model_name": "record", "field_name": field, "term": term,
    }, headers={"accept-language": language})
    assert page.status_code == 200
    return [result["text"] for result in page.json()["results"]]


def record_form_autocomplete(client, field, term, language="en"):
    """The results the record form's own autocomplete widgets ask for, at the URL the widget names."""
    html = client.get(reverse("admin:collection_record_add"), headers={"accept-language": language}).content.decode()
    import re

    url = re.search(rf'name="{field}"[^>]*data-ajax--url="([^"]+)"|data-ajax--url="([^"]+)"[^>]*name="{field}"',
                    html)
    assert url, field
    page = client.get(url.group(1) or url.group(2), {
        "app_label": "collection", "model_name": "record", "field_name": field, "term": term,
    }, headers={"accept-language": language})
    assert page.status_code == 200
    return [result["text"] for result in page.json()["results"]]


def test_the_record_forms_place_choices_tell_places_of_one_name_apart_in_the_admins_language(admin_client):
    irkutsk = named_place("place-irkutsk", "Irkutsk Oblast", "イルクーツク州")
    named_place("place-taishet", "Taishet", "タイシェト", parent=irkutsk)
    named_place("place-taishet-camp", "Taishet", "タイシェト")
    assert sorted(record_form_autocomplete(admin_client, "places", "Taishet", "ja")) == [
        "タイシェト — イルクーツク州（place-taishet）", "タイシェト（place-taishet-camp）"]
    assert sorted(record_form_autocomplete(admin_client, "places", "Taishet", "en")) == [
        "Taishet (place-taishet-camp)", "Taishet — Irkutsk Oblast (place-taishet)"]


def test_the_record_forms_subject_and_agent_choices_show_their_identifiers(admin_client):
    from collection.models import SubjectLabel

    subject = SubjectFactory(identifier="subject-repatriation", label="Repatriation")
    SubjectLabel.objects.create(subject=subject, language="ru", text="Репатриация")
    AgentFactory(identifier="agent-test-archive", name="Test archive", kind="organisation")
    assert record_form_autocomplete(admin_client, "subjects", "Repatr", "ru") == [
        "Репатриация (subject-repatriation)"]
    assert record_form_autocomplete(admin_client, "repository", "archive") == ["Test archive (agent-test-archive)"]


def test_every_autocomplete_of_the_record_form_asks_the_view_that_tells_entries_apart(admin_client):
    import re

    html = admin_client.get(reverse("admin:collection_record_add")).content.decode()
    urls = re.findall(r'data-ajax--url="([^"]+)"', html)
    # parent, described agent, repository, languages, places, subjects, and each agent link (with its template)
    assert len(urls) >= 8
    assert set(urls) == {reverse("admin:collection_record_autocomplete")}


def test_the_record_forms_chosen_places_are_named_in_the_admins_language(admin_client):
    record = RecordFactory(status="draft")
    record.places.add(named_place("place-taishet", "Taishet", "タイシェト"))
    page = admin_client.get(reverse("admin:collection_record_change", args=[record.pk]),
                            headers={"accept-language": "ja"}).content.decode()
    assert ">タイシェト</option>" in page


def test_a_records_history_names_its_places_in_the_readers_language(admin_client):
    record = RecordFactory(status="draft")
    record.places.add(named_place("place-taishet", "Taishet", "タイシェト"))
    record.save()
    page = admin_client.get(reverse("admin:collection_record_history", args=[record.pk]),
                            headers={"accept-language": "ja"})
    changes = [change.new for save in page.context["saves"] for entry in save.entries for change in entry.changes]
    assert "タイシェト" in changes


def test_the_place_forms_parent_choices_tell_places_of_one_name_apart(admin_client):
    import re

    irkutsk = named_place("place-irkutsk", "Irkutsk Oblast", "イルクーツク州")
    named_place("place-taishet", "Taishet", "タイシェト", parent=irkutsk)
    html = admin_client.get(reverse("admin:collection_place_add")).content.decode()
    [url] = re.findall(r'data-ajax--url="([^"]+)"', html)
    assert url == reverse("admin:collection_place_autocomplete")
    page = admin_client.get(url, {"app_label": "collection", "model_name": "place", "field_name": "parent",
                                  "term": "Taishet"})
    assert [result["text"] for result in page.json()["results"]] == ["Taishet — Irkutsk Oblast (place-taishet)"]


def test_the_admins_russian_messages_agree_with_any_model(admin_client):
    """Django's own Russian says «запись … был успешно добавлен»: a masculine verb for a feminine noun."""
    ru = {"accept-language": "ru"}
    response = admin_client.post(reverse("admin:collection_record_add"), record_form(admin_client), headers=ru,
                                 follow=True)
    record = Record.objects.get()
    assert [strip_tags(message) for message in response.context["messages"]] == [f"Добавлено: запись «{record}»."]

    subject = SubjectFactory(label="Test subject")
    response = admin_client.post(reverse("admin:collection_subject_delete", args=[subject.pk]), {"post": "yes"},
                                 headers=ru, follow=True)
    assert [str(message) for message in response.context["messages"]] == ["Удалено: предметная рубрика «Test subject»."]


@pytest.mark.parametrize("language", ["ja", "ru"])
def test_the_apps_catalogues_reword_no_other_apps_message_but_the_admin_messages_that_name_a_model(language):
    """A site lists the app above django.contrib.admin, so its catalogue wins over every other app's (and any
    app's over Django's own): a message they share would change their pages too ("Home" in every breadcrumb of
    the admin)."""
    import gettext
    from pathlib import Path

    import django
    from django.apps import apps

    from collection.admin.messages import DJANGO_5_ONLY, DJANGO_6_ONLY, DJANGO_ADMIN_MESSAGES

    def catalogue(locale_dir):
        mo = Path(locale_dir) / language / "LC_MESSAGES" / "django.mo"
        return gettext.GNUTranslations(mo.open("rb"))._catalog if mo.exists() else {}

    ours = catalogue(Path(apps.get_app_config("collection").path) / "locale")
    others = [Path(django.__file__).parent / "conf" / "locale"] + [
        Path(config.path) / "locale" for config in apps.get_app_configs() if config.label != "collection"]
    reworded = set()
    for theirs in map(catalogue, others):
        for key, text in ours.items():
            if key and key in theirs and theirs[key] and theirs[key] != text:
                reworded.add(key[0] if isinstance(key, tuple) else key)
    # Django's own Japanese for a NUL asks for "some characters"; the search box says what is wrong.
    assert reworded <= {*DJANGO_ADMIN_MESSAGES, *DJANGO_5_ONLY, *DJANGO_6_ONLY, "Null characters are not allowed."}


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "factory"), [
    ("record", RecordFactory), ("agent", AgentFactory), ("place", PlaceFactory), ("subject", SubjectFactory)])
def test_the_identifier_says_leaving_it_blank_generates_one_only_on_a_new_entrys_form(admin_client, model, factory):
    entry = factory()
    added = strip_tags(admin_client.get(reverse(f"admin:collection_{model}_add")).content.decode())
    changed = strip_tags(admin_client.get(
        reverse(f"admin:collection_{model}_change", args=[entry.pk])).content.decode())
    assert "left blank, one is generated" in added
    assert "left blank" not in changed
    assert "Permanent: it can never be changed." in changed
