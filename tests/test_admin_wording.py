"""Wording a Japanese or Russian archivist would stumble on in the admin, as the shipped catalogues have it."""

import html as html_module
import json
import re

import django
import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from collection.models import Record, Status

from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory, UserFactory, link_agent
from .roles import change_form_data, record_form

pytestmark = pytest.mark.django_db


def count_under(client, url, language):
    """The count at the foot of a changelist, as the admin in ``language`` writes it."""
    html = client.get(url, headers={"accept-language": language}).content.decode()
    match = re.search(r'class="paginator"[^>]*>(.*?)</(?:p|nav)>', html, re.S)
    assert match, html
    text = re.sub(r"<h2.*?</h2>", "", match.group(1), flags=re.S)
    return " ".join(strip_tags(text).split())


# --- a count agrees with its number ----------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "language", "said"), [
    (1, "ru", "1 запись"), (2, "ru", "2 записи"), (5, "ru", "5 записей"), (21, "ru", "21 запись"),
    (19, "ja", "19 件"), (1, "en", "1 record"), (2, "en", "2 records"),
])
def test_the_records_under_a_changelist_are_counted_as_the_language_counts(admin_client, number, language, said):
    RecordFactory.create_batch(number)
    assert count_under(admin_client, reverse("admin:collection_record_changelist"), language) == said


@pytest.mark.parametrize(("number", "said"), [(1, "1 лицо или организация"), (3, "3 лица и организации"),
                                              (14, "14 лиц и организаций")])
def test_the_agents_are_counted_in_russian_too(admin_client, number, said):
    AgentFactory.create_batch(number)
    assert count_under(admin_client, reverse("admin:collection_agent_changelist"), "ru") == said


@pytest.mark.parametrize(("language", "said"), [("ja", "3 枚"), ("ru", "3 изображения"), ("en", "3 images")])
def test_the_scans_are_counted_as_images_not_as_records(admin_client, language, said):
    from . import imaging
    from .test_images import attach

    attach(RecordFactory(), imaging.multipage_tiff(pages=3), "scan.tif")
    assert count_under(admin_client, reverse("admin:collection_recordimage_changelist"), language) == said


def pagination_heading(client, url, language):
    """The heading a screen reader announces over a changelist's pages (Django 6), as the admin in ``language``
    writes it; the ``<nav>`` must name it as its label."""
    html = client.get(url, headers={"accept-language": language}).content.decode()
    match = re.search(r'<nav class="paginator" aria-labelledby="([\w-]+)">\s*<h2 id="\1"[^>]*>(.*?)</h2>', html, re.S)
    assert match, html
    return " ".join(strip_tags(match.group(2)).split())


@pytest.mark.skipif(django.VERSION < (6,), reason="Django 5.2's paginator has no heading")
@pytest.mark.parametrize(("number", "language", "heading"), [
    (21, "ru", "Постраничная навигация: записи"), (5, "ru", "Постраничная навигация: записи"),
    (1, "ru", "Постраничная навигация: записи"), (19, "ja", "資料のページ"), (1, "ja", "資料のページ"),
    (21, "en", "Pagination records"), (1, "en", "Pagination records"),
])
def test_the_pages_of_a_changelist_are_headed_with_the_model_s_plural_whatever_the_count(
        admin_client, number, language, heading):
    RecordFactory.create_batch(number)
    url = reverse("admin:collection_record_changelist")
    assert pagination_heading(admin_client, url, language) == heading
    # The count under the same heading still agrees with its number.
    assert count_under(admin_client, url, language).startswith(f"{number} ")


@pytest.mark.skipif(django.VERSION < (6,), reason="Django 5.2's paginator has no heading")
def test_the_pages_of_the_agents_are_headed_in_russian_too(admin_client):
    AgentFactory.create_batch(3)
    assert pagination_heading(admin_client, reverse("admin:collection_agent_changelist"), "ru") == (
        "Постраничная навигация: лица и организации")


def test_a_paginated_changelist_keeps_django_s_own_markup_and_page_links(admin_client, monkeypatch):
    from django.contrib import admin

    from collection.models import Record

    monkeypatch.setattr(admin.site.get_model_admin(Record), "list_per_page", 2)
    RecordFactory.create_batch(5)
    html = admin_client.get(reverse("admin:collection_record_changelist"),
                            headers={"accept-language": "ru"}).content.decode()
    # Django 6 made the paginator a <nav> with a list of pages; Django 5.2 has a paragraph.
    assert re.search(r'<nav class="paginator"' if django.VERSION >= (6,) else r'<p class="paginator"', html)
    assert 'href="?p=2"' in html and 'href="?all="' in html
    assert count_under(admin_client, reverse("admin:collection_record_changelist"), "ru").endswith(
        "3 5 записей Показать все")


# --- a workflow button's message agrees with «запись» -------------------------------------------------------


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


def said(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(("button", "status", "language", "message"), [
    ("return", Status.REVIEW, "ru", "Запись doc-test-said возвращена в черновики."),
    ("withdraw", Status.PUBLISHED, "ru", "Запись doc-test-said снята с публикации."),
    ("publish", Status.REVIEW, "ru", "Запись doc-test-said опубликована."),
    ("withdraw", Status.PUBLISHED, "ja", "資料 doc-test-said の公開を停止しました。"),
    ("withdraw", Status.PUBLISHED, "en", "The record doc-test-said was withdrawn."),
])
def test_a_workflow_button_says_what_it_did_to_the_record_in_words_that_agree(
        bob, carol, login, button, status, language, message):
    record = RecordFactory(status=Status.DRAFT if status == Status.REVIEW else status, identifier="doc-test-said")
    if status == Status.REVIEW:
        record.submit(carol)
    data = change_form_data(record, _transition=button, transition_comment="Needs a source.")
    response = login(bob).post(change_url(record), data, follow=True, headers={"accept-language": language})
    assert said(response) == [message]


def test_a_workflow_button_with_edits_says_they_were_saved_in_russian_too(alice, login):
    record = RecordFactory(status=Status.DRAFT, identifier="doc-test-said")
    data = change_form_data(record, date_display="test date", _transition="submit")
    response = login(alice).post(change_url(record), data, follow=True, headers={"accept-language": "ru"})
    assert said(response) == ["Изменения сохранены, запись doc-test-said отправлена на проверку."]


@pytest.mark.parametrize(("language", "one", "two"), [
    ("ru", "Запись doc-test-1 возвращена в черновики.", "Возвращены в черновики записи: doc-test-1, doc-test-2."),
    ("ja", "資料 doc-test-1 を下書きに差戻しました。", "下書きに差戻しました：doc-test-1、doc-test-2。"),
    ("en", "The record doc-test-1 was returned to draft.", "Returned to draft: doc-test-1, doc-test-2."),
])
def test_a_bulk_action_says_what_it_did_in_words_that_agree(bob, carol, login, language, one, two):
    records = [RecordFactory(status=Status.DRAFT, identifier=f"doc-test-{n}") for n in (1, 2)]
    for record in records:
        record.submit(carol)
    client = login(bob)

    def returned(*chosen):
        response = client.post(reverse("admin:collection_record_changelist"), {
            "action": "return_selected", "_selected_action": [record.pk for record in chosen], "index": 0,
            "apply": "1", "transition_comment": "Needs a source."}, follow=True, headers={"accept-language": language})
        return said(response)

    assert returned(records[0]) == [one]
    records[0].submit(carol)
    assert returned(*records) == [two]


# --- a language tag in a message is called a tag, or the language named ----------------------------------------


@pytest.mark.parametrize(("language", "start"), [
    ("ru", "Два оригинальных заглавия с тегом ja отмечены как предпочтительные"),
    ("ja", "言語タグ ja の原表記のタイトルが2つとも優先形になっています"),
    ("en", "Two original titles tagged ja are both preferred"),
])
def test_two_preferred_originals_are_said_to_share_a_tag(admin_client, language, start):
    data = record_form(admin_client, **{
        "titles-TOTAL_FORMS": "2", "titles-0-language": "ja", "titles-0-text": "テスト一",
        "titles-1-language": "ja", "titles-1-text": "テスト二", "titles-1-form": "original",
        "titles-1-preferred": "on"})
    response = admin_client.post(reverse("admin:collection_record_add"), data, headers={"accept-language": language})
    assert start in response.content.decode()


@pytest.mark.parametrize(("language", "start"), [
    ("ru", "Два названия с тегом ja отмечены как предпочтительные"),
    ("ja", "言語タグ ja の名称が2つとも優先形になっています"),
    ("en", "Two names tagged ja are both preferred"),
])
def test_two_preferred_names_are_said_to_share_a_tag(language, start):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from collection.models import AgentName
    from collection.models.labels import validate_names

    names = [AgentName(language="ja", text="テスト一", preferred=True),
             AgentName(language="ja", text="テスト二", preferred=True)]
    with translation.override(language):
        with pytest.raises(ValidationError) as refusal:
            validate_names(names)
        assert refusal.value.messages[0].startswith(start)


@pytest.mark.parametrize(("language", "label"), [("ru", "подпись (японский)"), ("ja", "キャプション（日本語）"),
                                                 ("en", "caption (Japanese)")])
def test_a_caption_field_names_its_language(admin_client, language, label):
    record = RecordFactory()
    html = admin_client.get(change_url(record), headers={"accept-language": language}).content.decode()
    assert label.lower() in html.lower()


# --- a bulk action skips a record in another status and says so plainly ---------------------------------------


def bulk(client, action, records, language, **form):
    response = client.post(reverse("admin:collection_record_changelist"), {
        "action": f"{action}_selected", "_selected_action": [record.pk for record in records], **form},
        follow=True, headers={"accept-language": language})
    return said(response)


@pytest.mark.parametrize(("language", "why"), [
    ("en", "This record is “published”: only a draft can be submitted for review."),
    ("ru", "Эта запись в статусе «опубликовано»: на проверку можно отправить только черновик."),
    ("ja", "この資料の状態は「公開」です。審査に提出できるのは下書きだけです。"),
])
def test_submitting_a_published_record_in_bulk_says_only_a_draft_can_be(alice, login, language, why):
    record = RecordFactory(status=Status.PUBLISHED, identifier="doc-test-1")
    [skipped] = bulk(login(alice), "submit", [record], language, apply="1")
    assert skipped.endswith(why)
    assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED


@pytest.mark.parametrize(("action", "status", "why"), [
    ("publish", Status.DRAFT, "This record is “draft”: only a record in review can be published."),
    ("return", Status.PUBLISHED, "This record is “published”: only a record in review can be returned to draft."),
    ("withdraw", Status.REVIEW, "This record is “in review”: only a published record can be withdrawn."),
])
def test_every_bulk_action_says_which_records_it_applies_to(bob, login, action, status, why):
    record = RecordFactory(status=status, identifier="doc-test-1")
    [skipped] = bulk(login(bob), action, [record], "en", index=0, apply="1", transition_comment="Needs a source.")
    assert skipped.endswith(why)


@pytest.mark.parametrize(("language", "message"), [
    ("ru", "Запись doc-test-1 пропущена. Принцип четырёх глаз: вы сами отправили эту запись на проверку, поэтому "
           "опубликовать её должен другой проверяющий (или менеджер коллекции)."),
    ("ja", "資料 doc-test-1 をスキップしました。ダブルチェックの規則により、ご自身が審査に提出したこの資料は、"
           "別の審査者（またはコレクション管理者）が公開する必要があります。"),
    ("en", "The record doc-test-1 was skipped. Four-eyes rule: you submitted this record for review yourself, so "
           "another reviewer must publish it (or a collection manager)."),
])
def test_a_skipped_record_and_the_reason_are_two_sentences(bob, login, language, message):
    record = RecordFactory(status=Status.DRAFT, identifier="doc-test-1")
    record.submit(bob)
    assert bulk(login(bob), "publish", [record], language, apply="1") == [message]


# --- the languages filter names the languages ----------------------------------------------------------------


@pytest.mark.parametrize(("language", "choices"), [
    ("ru", ["Все", "русский", "японский", "не указаны"]),
    ("ja", ["全て", "ロシア語", "日本語", "指定なし"]),
    ("en", ["All", "Japanese", "Russian", "None given"]),
])
def test_the_languages_filter_names_each_language_and_the_records_without_one(admin_client, language, choices):
    from collection.models import Language

    russian, japanese = Language.objects.get_or_create(tag="ru")[0], Language.objects.get_or_create(tag="ja")[0]
    RecordFactory().languages.add(russian)
    RecordFactory().languages.add(japanese)
    RecordFactory()
    response = admin_client.get(reverse("admin:collection_record_changelist"), headers={"accept-language": language})
    changelist = response.context["cl"]
    [languages] = [spec for spec in changelist.filter_specs if getattr(spec, "field_path", "") == "languages"]
    assert [str(choice["display"]) for choice in languages.choices(changelist)] == choices


# --- a person is named alike everywhere in the admin ---------------------------------------------------------


def cells(html, pattern):
    return [" ".join(strip_tags(cell).split()) for cell in re.findall(pattern, html, re.S)]


def test_the_workflow_log_and_the_history_name_people_as_the_stale_message_does(alice, bob, login):
    from collection.concurrency import stale_message

    nameless = UserFactory(username="test-nameless", is_staff=True, is_superuser=True)
    record = RecordFactory(status=Status.DRAFT, identifier="doc-test-1")
    record.submit(alice)
    record.return_to_draft(bob, "Needs a source.")
    record.refresh_from_db()
    assert "was changed by Bob at" in stale_message(record)
    client = login(nameless)
    page = client.get(change_url(record)).content.decode()
    log = re.search(r'<table class="workflow-log">(.*?)</table>', page, re.S).group(1)
    assert [row[1] for row in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", log)] == ["Bob", "Alice"]
    history = client.get(reverse("admin:collection_record_history", args=[record.pk])).content.decode()
    assert cells(history, r'<td class="history-user"[^>]*>(.*?)</td>')[:2] == ["Bob", "Alice"]
    title = record.titles.get()
    title.text, title._history_user = "Test retitled", nameless
    title.save()
    history = client.get(reverse("admin:collection_record_history", args=[record.pk])).content.decode()
    assert cells(history, r'<td class="history-user"[^>]*>(.*?)</td>')[0] == "test-nameless"


def test_who_deleted_a_record_and_who_uploaded_a_scan_are_named_as_the_histories_name_them(dana, login):
    from .test_scan_serving import attach

    client = login(dana)
    record = RecordFactory(status=Status.DRAFT)
    image = attach(RecordFactory(status=Status.DRAFT), by=dana)
    client.post(reverse("admin:collection_record_delete", args=[record.pk]),
                {"post": "yes", "deletion_reason": "Duplicate entry."})

    reservations = client.get(reverse("admin:collection_reservedidentifier_changelist")).content.decode()
    [deleted] = [row for row in re.findall(r"<tr>(.*?)</tr>", reservations, re.S) if record.identifier in row]
    assert '<td class="field-deleted_by_name">Dana</td>' in deleted
    scan = client.get(reverse("admin:collection_recordimage_change", args=[image.pk])).content.decode()
    assert re.search(r'<div class="readonly">Dana</div>', scan)
    assert ">dana<" not in deleted + scan


# --- Django's admin sentences that name a model read whatever the model's gender ---------------------------------


def in_russian(client, url, **data):
    """The page at ``url`` in Russian, its text unescaped and with the addText of every inline decoded."""
    headers = {"accept-language": "ru"}
    response = (client.post(url, data, headers=headers, follow=True) if data
                else client.get(url, headers=headers))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    inlines = [json.loads(html_module.unescape(found))["options"]["addText"]
               for found in re.findall(r'data-inline-formset="([^"]*)"', html)]
    return " ".join(html_module.unescape(html).split()) + " " + " | ".join(inlines)


# The shipped Russian catalogue inflects nothing to suit the model's name, so these read as a learner's Russian.
UNGRAMMATICAL = ["Выберите лицо или организация", "Выберите предметная рубрика", "Выберите место",
                 "Добавить лицо или организация", "Добавить предметная рубрика", "Изменить лицо или организация",
                 "Изменить предметная рубрика", "Добавить еще один", "Не удается удалить", "Удаление лицо",
                 "Удаление место", "Удаление предметная", "Просмотреть лицо", "Выберите запись",
                 "хотите удалить место", "хотите удалить предметная", "удалить выбранные место",
                 "Успешно удалены"]


def assert_grammatical(page):
    for phrase in UNGRAMMATICAL:
        assert phrase not in page, phrase


def test_the_lists_and_their_add_buttons_name_the_model_after_a_colon(admin_client):
    AgentFactory(name="Test agent")
    SubjectFactory(label="Test subject")
    agents = in_russian(admin_client, reverse("admin:collection_agent_changelist"))
    assert "<h1>Выберите для изменения: лицо или организация</h1>" in agents
    assert "Добавить: лицо или организация" in agents
    subjects = in_russian(admin_client, reverse("admin:collection_subject_changelist"))
    assert "<h1>Выберите для изменения: предметная рубрика</h1>" in subjects
    assert "Добавить: предметная рубрика" in subjects
    records = in_russian(admin_client, reverse("admin:collection_record_changelist"))
    assert "<h1>Выберите для изменения: запись</h1>" in records
    for page in (agents, subjects, records):
        assert_grammatical(page)


@pytest.mark.skipif(django.VERSION < (6,), reason="Django 5.2's search form has no heading")
def test_the_search_of_a_list_is_headed_after_a_colon(admin_client):
    assert "Поиск: лица и организации" in in_russian(admin_client, reverse("admin:collection_agent_changelist"))


def test_the_add_and_change_pages_and_their_inline_links_name_the_model_after_a_colon(admin_client):
    agent = AgentFactory(name="Test agent")
    add = in_russian(admin_client, reverse("admin:collection_agent_add"))
    assert "<h1>Добавить: лицо или организация</h1>" in add
    assert "Имя или наименование: добавить ещё" in add
    change = in_russian(admin_client, reverse("admin:collection_agent_change", args=[agent.pk]))
    assert "<h1>Изменить: лицо или организация</h1>" in change
    subject = in_russian(admin_client, reverse("admin:collection_subject_add"))
    assert "<h1>Добавить: предметная рубрика</h1>" in subject
    assert "Формулировка рубрики: добавить ещё" in subject
    record = in_russian(admin_client, reverse("admin:collection_record_change", args=[RecordFactory().pk]))
    for added in ("Изображение: добавить ещё", "Лицо или организация в записи: добавить ещё"):
        assert added in record
    for page in (add, change, subject, record):
        assert_grammatical(page)


def test_staff_who_may_only_view_read_the_model_after_a_colon_too(login):
    from .test_admin_roles import staff_allowed

    agent = AgentFactory(name="Test agent")
    viewer = login(staff_allowed("agent-viewer", "view_agent"))
    assert "<h1>Выберите для просмотра: лицо или организация</h1>" in in_russian(
        viewer, reverse("admin:collection_agent_changelist"))
    page = in_russian(viewer, reverse("admin:collection_agent_change", args=[agent.pk]))
    assert "<h1>Просмотреть: лицо или организация</h1>" in page
    assert_grammatical(page)


def test_a_refused_deletion_names_the_entry_after_a_colon(dana, login):
    agent, place = AgentFactory(name="Test agent"), PlaceFactory(name="Test place")
    record = RecordFactory()
    link_agent(record, agent)
    record.places.add(place)
    client = login(dana)
    refused = in_russian(client, reverse("admin:collection_agent_delete", args=[agent.pk]))
    assert "<h1>Нельзя удалить: лицо или организация</h1>" in refused
    assert ("Нельзя удалить: лицо или организация «Test agent». Для этого пришлось бы удалить следующие "
            "защищённые связанные объекты:") in refused
    place_refused = in_russian(client, reverse("admin:collection_place_delete", args=[place.pk]))
    assert "Нельзя удалить: место «Test place»." in place_refused
    for page in (refused, place_refused):
        assert_grammatical(page)


def test_a_deletion_asks_and_says_what_it_did_after_a_colon(dana, login):
    place = PlaceFactory(name="Test unused place")
    client = login(dana)
    page = in_russian(client, reverse("admin:collection_place_delete", args=[place.pk]))
    assert "Удалить: место «Test unused place»? Будут удалены и все следующие связанные объекты:" in page
    assert_grammatical(page)


def test_deleting_the_selected_entries_asks_and_says_what_it_did_after_a_colon(dana, login):
    places = [PlaceFactory(name=f"Test unused place {n}") for n in (1, 2)]
    used = PlaceFactory(name="Test used place")
    RecordFactory().places.add(used)
    client = login(dana)
    changelist = reverse("admin:collection_place_changelist")

    def delete_selected(*chosen, **more):
        return in_russian(client, changelist, action="delete_selected",
                          _selected_action=[place.pk for place in chosen], **more)

    asked = delete_selected(*places)
    assert "Удалить выбранное: места? Будут удалены все следующие объекты и связанные с ними элементы:" in asked
    one = delete_selected(places[0])
    assert "Удалить выбранное: место?" in one
    refused = delete_selected(used)
    assert "<h1>Нельзя удалить: место</h1>" in refused
    assert "Нельзя удалить выбранное: место. Для этого пришлось бы удалить" in refused
    done = delete_selected(*places, post="yes")
    assert "Удалено: места (2)." in done
    for page in (asked, one, refused, done):
        assert_grammatical(page)


def test_the_history_says_what_happened_in_a_noun_whatever_the_part(admin_client, bob, carol):
    record = RecordFactory(status=Status.DRAFT)
    record.submit(carol)
    record.return_to_draft(bob, "Needs a source.")
    page = in_russian(admin_client, reverse("admin:collection_record_history", args=[record.pk]))
    assert "Запись: изменение" in page and "Запись: добавление" in page
    assert "Запись: изменено" not in page and "Запись: добавлено" not in page


def test_the_admin_sentences_the_app_words_are_django_s_own_to_the_letter():
    """Each listed message is in the installed Django's catalogue, or listed as another version's; a message
    that Django rewords in a new version would otherwise go back to the shipped wording unnoticed."""
    import gettext
    from pathlib import Path

    from collection.admin import messages

    mo = Path(django.__file__).parent / "contrib/admin/locale/ru/LC_MESSAGES/django.mo"
    shipped = gettext.GNUTranslations(mo.open("rb"))._catalog  # type: ignore[attr-defined]
    own, other = ((messages.DJANGO_6_ONLY, messages.DJANGO_5_ONLY) if django.VERSION >= (6,)
                  else (messages.DJANGO_5_ONLY, messages.DJANGO_6_ONLY))
    for message in (*messages.DJANGO_ADMIN_MESSAGES, *own):
        assert message in shipped, message
    for message in other:
        assert message not in shipped, message


# --- an image is named with its page in the reader's language ------------------------------------------------------


@pytest.mark.parametrize(("language", "name"), [
    ("en", "pages.tif, page 2"), ("ja", "pages.tif、2 ページ目"), ("ru", "pages.tif, стр. 2"),
])
def test_an_image_s_page_is_named_in_the_admin_s_language(admin_client, language, name):
    from django.utils import translation

    from . import imaging
    from .test_images import attach

    first, second = attach(RecordFactory(), imaging.multipage_tiff(pages=2), "pages.tif")
    with translation.override(language):
        assert (str(first), str(second)) == ("pages.tif", name)
    page = admin_client.get(reverse("admin:collection_recordimage_changelist"),
                            headers={"accept-language": language}).content.decode()
    assert name in page and "pages.tif p. 2" not in page


# --- the demo's task backend speaks the admin's language ------------------------------------------------------
@pytest.mark.parametrize(("language", "app", "model", "ready"), [
    ("ja", "バックグラウンド処理", "処理結果", "実行待ち"),
    ("ru", "Фоновые задачи", "Результаты задач", "Ожидает"),
])
def test_the_background_tasks_are_named_in_the_admins_language(admin_client, language, app, model, ready):
    index = strip_tags(admin_client.get(reverse("admin:index"), headers={"accept-language": language})
                       .content.decode())
    assert app in index and model in index
    assert "Tasks Database Backend" not in index and "Task Results" not in index
    changelist = strip_tags(admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"),
                                             headers={"accept-language": language}).content.decode())
    assert ready in changelist and "Ready" not in changelist


def test_an_image_s_page_in_its_file_is_counted_from_one_as_its_name_counts(admin_client):
    # The second page, named "pages.tif, page 2" in the heading and everywhere else, is not "page 1" in its details.
    from . import imaging
    from .test_images import attach

    _first, second = attach(RecordFactory(), imaging.multipage_tiff(pages=2), "pages.tif")
    html = admin_client.get(reverse("admin:collection_recordimage_change", args=[second.pk]),
                            headers={"accept-language": "en"}).content.decode()
    row = re.search(r"<label>Page in file:</label>\s*<div class=\"readonly\">(.*?)</div>", html, re.S)
    assert row, html
    assert row.group(1).strip() == "2"
    assert "0 for the first page" not in html
