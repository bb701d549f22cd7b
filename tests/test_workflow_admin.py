"""The workflow in the admin: buttons, crafted POSTs, bulk actions, the review queue, preview, deletion."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from collection.citations import STYLES, formatted_citation
from collection.models import (
    Description,
    Record,
    RecordPlaceIndex,
    RecordSearch,
    RecordTitleOrder,
    ReservedIdentifier,
    Status,
    StatusChange,
)

from .factories import AgentFactory, PlaceFactory, RecordFactory, SubjectFactory, UserFactory, add_title, link_agent
from .roles import change_form_data

pytestmark = pytest.mark.django_db


def change_url(record):
    return reverse("admin:collection_record_change", args=[record.pk])


def page_messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def pressed(client, record, language, **form):
    """The messages the record's change form gives, posted in ``language`` with ``form`` changed."""
    response = client.post(change_url(record), change_form_data(record, **form), follow=True,
                           headers={"accept-language": language})
    return page_messages(response)


class TestChangeFormButtons:
    def test_contributor_sees_submit_on_a_draft(self, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        page = login(alice).get(change_url(record)).content.decode()
        assert 'value="submit"' in page
        assert 'value="publish"' not in page

    def test_reviewer_sees_publish_and_return(self, bob, login):
        record = RecordFactory(status=Status.REVIEW)
        page = login(bob).get(change_url(record)).content.decode()
        assert 'value="publish"' in page and 'value="return"' in page
        assert 'value="submit"' not in page

    @pytest.mark.parametrize(("user", "status", "asked"), [
        ("alice", Status.DRAFT, False), ("bob", Status.WITHDRAWN, False),
        ("bob", Status.REVIEW, True), ("bob", Status.PUBLISHED, True),
    ])
    def test_the_comment_box_asks_for_a_reason_only_where_a_button_needs_one(
            self, alice, bob, login, user, status, asked):
        record = RecordFactory(status=status)
        page = login({"alice": alice, "bob": bob}[user]).get(change_url(record)).content.decode()
        assert 'name="transition_comment"' in page  # a comment goes into the log with any button
        assert ("required when returning or withdrawing" in page) is asked
        # The comment box is described by the help shown, or by nothing: never by a text that is not there.
        described = re.search(r'<textarea name="transition_comment"[^>]*>', page).group()
        if asked:
            assert 'aria-describedby="id_transition_comment_helptext"' in described
            assert 'id="id_transition_comment_helptext"' in page
        else:
            assert "aria-describedby" not in described

    def test_submit_button_saves_edits_and_logs_the_comment(self, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        data = change_form_data(record, date_display="test date", _transition="submit",
                                transition_comment="Ready for a second pair of eyes.")
        response = login(alice).post(change_url(record), data)
        assert response.status_code == 302
        record.refresh_from_db()
        assert (record.status, record.date_display) == (Status.REVIEW, "test date")
        change = StatusChange.objects.get(record=record)
        assert (change.by, change.comment) == (alice, "Ready for a second pair of eyes.")

    def test_return_without_a_reason_is_refused(self, bob, login):
        record = RecordFactory(status=Status.REVIEW)
        response = login(bob).post(change_url(record), change_form_data(record, _transition="return"))
        assert response.status_code == 200
        assert "Write the reason here: “Return to draft” needs one." in response.content.decode()
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW

    @pytest.mark.parametrize(("button", "status"), [("return", Status.REVIEW), ("withdraw", Status.PUBLISHED)])
    def test_a_missing_reason_is_told_at_the_comment_box(self, bob, login, button, status):
        record = RecordFactory(status=status)
        label = {"return": "Вернуть в черновики", "withdraw": "Снять с публикации"}[button]
        response = login(bob).post(change_url(record), change_form_data(record, _transition=button),
                                   headers={"accept-language": "ru"})
        said = f"Укажите причину здесь: для действия «{label}» она обязательна."
        assert response.context["adminform"].form.errors["transition_comment"] == [said]
        page = response.content.decode()
        assert page.index(said) < page.index('name="transition_comment"') < page.index(f'value="{button}"')
        assert Record.objects.get(pk=record.pk).status == status

    def test_a_refused_save_is_told_above_the_workflow_box(self, bob, carol, login):
        # The box holds the workflow log (up to 20 rows): an error below it is off screen.
        record = RecordFactory(status=Status.REVIEW)
        opened = change_form_data(record, date_display="as carol typed it")
        assert login(bob).post(change_url(record), change_form_data(record, pages="1-120")).status_code == 302
        page = login(carol).post(change_url(record), opened).content.decode()
        assert "date_display" in page and "as carol typed it" in page
        assert page.index('class="errornote"') < page.index("Your changes were not saved") < page.index('id="workflow"')

    def test_withdraw_with_hidden_title(self, bob, login):
        record = RecordFactory(status=Status.PUBLISHED)
        login(bob).post(change_url(record), change_form_data(
            record, _transition="withdraw", transition_comment="Privacy request.", hide_title="on"))
        assert Record.objects.get(pk=record.pk).status == Status.WITHDRAWN
        assert StatusChange.objects.get(record=record).hide_title

    @pytest.mark.parametrize(("language", "said"), [
        ("en", "Privacy request. (title hidden on the public notice)"),
        ("ja", "Privacy request.（一般向けの告知ページではタイトルを非表示）"),
        ("ru", "Privacy request. (заглавие скрыто в публичном уведомлении)"),
    ])
    def test_the_workflow_log_says_which_withdrawal_hid_the_title(self, bob, login, language, said):
        record = RecordFactory(status=Status.PUBLISHED)
        client = login(bob)
        client.post(change_url(record), change_form_data(
            record, _transition="withdraw", transition_comment="Privacy request.", hide_title="on"))
        client.post(change_url(record), change_form_data(record, _transition="reopen"))
        page = client.get(change_url(record), headers={"accept-language": language}).content.decode()
        log = page[page.index('class="workflow-log"'):]
        assert said in log
        assert log.count(said.removeprefix("Privacy request.")) == 1  # the reopening hid nothing


class TestButtonMessages:
    """A workflow button gives one message, saying what it did (and that the edits made with it were saved)."""

    def test_a_button_pressed_on_an_untouched_form_says_what_it_did_once(self, bob, carol, login):
        record = RecordFactory(status=Status.DRAFT, identifier="doc-test-button")
        record.submit(carol)
        response = login(bob).post(change_url(record), change_form_data(record, _transition="publish"), follow=True)
        assert page_messages(response) == ["The record doc-test-button was published."]

    @pytest.mark.parametrize(("language", "message"), [
        ("en", "The record doc-test-button was saved and submitted for review."),
        ("ja", "資料 doc-test-button の変更を保存し、審査に提出しました。"),
        ("ru", "Изменения сохранены, запись doc-test-button отправлена на проверку."),
    ])
    def test_a_button_pressed_with_edits_says_they_were_saved_too(self, alice, login, language, message):
        record = RecordFactory(status=Status.DRAFT, identifier="doc-test-button")
        assert pressed(login(alice), record, language, date_display="test date", _transition="submit") == [message]

    @pytest.mark.parametrize(("language", "message"), [
        ("en", "The record doc-test-button was returned to draft."),
        ("ja", "資料 doc-test-button を下書きに差戻しました。"),  # not 差し戻ししました
    ])
    def test_a_record_returned_to_draft_is_said_so(self, bob, login, language, message):
        record = RecordFactory(status=Status.REVIEW, identifier="doc-test-button")
        assert pressed(login(bob), record, language, _transition="return",
                       transition_comment="Needs a source.") == [message]

    @pytest.mark.parametrize(("language", "said"), [
        ("en", "Nothing was saved and “Publish” was not applied: doc-test-button was changed by Bob at"),
        ("ja", "何も保存されず、「公開する」も実行されませんでした。"
               "doc-test-button はあなたが開いた後に Bob によって変更され"),
        ("ru", "Ничего не сохранено, и действие «Опубликовать» не выполнено: уже после того, как вы открыли запись "
               "doc-test-button, в неё были внесены изменения (кто: Bob;"),
    ])
    def test_a_button_pressed_on_an_outdated_page_says_it_was_not_applied_and_what_the_record_is_now(
            self, alice, bob, carol, login, language, said):
        record = RecordFactory(status=Status.DRAFT, identifier="doc-test-button")
        record.submit(alice)
        carols_page = change_form_data(record, _transition="publish")
        record.return_to_draft(bob, comment="Needs a source.")
        response = login(carol).post(change_url(record), carols_page, headers={"accept-language": language})
        page = response.content.decode()
        assert said in page
        now = {"en": "and is now “draft”", "ja": "現在の状態は「下書き」です", "ru": "теперь её статус — «черновик»"}
        assert now[language] in page
        # Not the words of a plain save, which speak of changes she never made and ask her to make them anew.
        assert "make your changes anew" not in page and "改めて変更してください" not in page
        assert Record.objects.get(pk=record.pk).status == Status.DRAFT

    def test_a_save_without_a_button_keeps_djangos_message(self, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        response = login(alice).post(change_url(record), change_form_data(record, date_display="test date"),
                                     follow=True)
        assert len(page_messages(response)) == 1
        assert "was changed successfully" in page_messages(response)[0]


class TestCraftedPosts:
    def test_contributor_posting_status_published_is_refused_and_nothing_changes(self, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        before = Record.objects.get(pk=record.pk)
        response = login(alice).post(change_url(record), change_form_data(
            record, status="published", date_display="sneaked in"))
        assert response.status_code == 200
        assert "A record cannot go from “draft” to “published”" in response.content.decode()
        after = Record.objects.get(pk=record.pk)
        assert (after.status, after.date_display, after.version) == (Status.DRAFT, "", before.version)

    def test_even_an_allowed_status_is_not_taken_from_a_posted_field(self, alice, login):
        record = RecordFactory(status=Status.DRAFT)
        response = login(alice).post(change_url(record), change_form_data(record, status="review"))
        assert "Change the status with the workflow buttons" in response.content.decode()
        assert Record.objects.get(pk=record.pk).status == Status.DRAFT
        assert not StatusChange.objects.exists()

    def test_contributor_posting_a_publish_button_is_refused(self, alice, login):
        record = RecordFactory(status=Status.REVIEW)
        response = login(alice).post(change_url(record), change_form_data(record, _transition="publish"))
        assert response.status_code == 403
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW

    def test_contributor_may_not_edit_a_published_record(self, alice, login):
        record = RecordFactory(status=Status.PUBLISHED)
        client = login(alice)
        page = client.get(change_url(record)).content.decode()
        assert 'name="_save"' not in page
        response = client.post(change_url(record), change_form_data(record, date_display="changed"))
        assert response.status_code == 403
        assert Record.objects.get(pk=record.pk).date_display == ""

    def test_reviewer_publishing_own_submission_is_refused(self, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(bob)
        response = login(bob).post(change_url(record), change_form_data(record, _transition="publish"))
        assert "another reviewer must publish it" in response.content.decode()
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW

    def test_reviewer_who_changed_what_someone_else_submitted_may_not_publish_it(self, alice, bob, carol, login):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        client = login(bob)
        client.post(change_url(record), change_form_data(record, extent="12 p."))
        assert Record.objects.get(pk=record.pk).extent == "12 p."
        page = client.get(change_url(record)).content.decode()
        assert 'value="publish"' not in page and 'value="return"' in page
        response = client.post(change_url(record), change_form_data(record, _transition="publish"))
        assert "you changed this record after it was submitted" in response.content.decode()
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW
        login(carol).post(change_url(record), change_form_data(record, extent="12 p.", _transition="publish"))
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_changing_and_publishing_in_one_go_keeps_the_changes_and_does_not_publish(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        data = change_form_data(record, _transition="publish")
        data["titles-0-text"] = "Rewritten and published at once"
        response = login(bob).post(change_url(record), data, follow=True)
        assert response.status_code == 200
        # Back on the record, whose workflow box shows what can be done now, not on the list of records.
        assert response.redirect_chain[-1][0] == change_url(record)
        shown = page_messages(response)
        assert any(m.startswith("Your changes were saved, but “Publish” was not applied to the record")
                   and "Four-eyes rule" in m for m in shown)
        stored = Record.objects.get(pk=record.pk)
        assert stored.status == Status.REVIEW
        assert stored.titles.get().text == "Rewritten and published at once"
        assert not StatusChange.objects.filter(to_status=Status.PUBLISHED).exists()

    def test_saving_a_record_untouched_is_no_change_and_leaves_publishing_open(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        record.submit(alice)
        rows = record.history.count()
        version = Record.objects.get(pk=record.pk).version
        client = login(bob)
        client.post(change_url(record), change_form_data(record))
        assert (record.history.count(), Record.objects.get(pk=record.pk).version) == (rows, version)
        client.post(change_url(record), change_form_data(record, _transition="publish"))
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED

    def test_a_change_to_the_titles_alone_still_moves_the_version_and_names_who_made_it(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        version = Record.objects.get(pk=record.pk).version
        data = change_form_data(record)
        data["titles-0-text"] = "Only the title changed"
        login(alice).post(change_url(record), data)
        stored = Record.objects.get(pk=record.pk)
        assert stored.version == version + 1
        assert stored.history.first().history_user == alice

    def test_a_new_record_cannot_be_created_published_by_a_contributor(self, alice, login):
        data = change_form_data(RecordFactory(status=Status.DRAFT), status="published")
        data.update({"titles-0-id": "", "titles-0-record": "", "titles-INITIAL_FORMS": 0})
        del data["loaded_version"]
        response = login(alice).post(reverse("admin:collection_record_add"), data)
        assert response.status_code == 200
        assert Record.objects.count() == 1


class TestBulkActions:
    def changelist(self):
        return reverse("admin:collection_record_changelist")

    def test_publish_reports_what_was_skipped_and_why(self, alice, bob, login):
        own = RecordFactory(status=Status.DRAFT, identifier="doc-own")
        own.submit(bob)
        theirs = RecordFactory(status=Status.DRAFT, identifier="doc-theirs")
        theirs.submit(alice)
        draft = RecordFactory(status=Status.DRAFT, identifier="doc-draft")
        response = login(bob).post(self.changelist(), {
            "action": "publish_selected", "_selected_action": [own.pk, theirs.pk, draft.pk], "apply": "1"},
            follow=True)
        shown = page_messages(response)
        assert "The record doc-theirs was published." in shown
        assert any(m.startswith("The record doc-own was skipped. Four-eyes rule: you submitted this record")
                   for m in shown)
        assert ("The record doc-draft was skipped. This record is “draft”: only a record in review can be published."
                in shown)
        assert set(Record.objects.filter(status=Status.PUBLISHED).values_list("identifier", flat=True)) == {
            "doc-theirs"}

    @pytest.mark.parametrize(("language", "said"), [
        ("en", "Published: doc-a, doc-b."),
        ("ja", "公開しました：doc-a、doc-b。"),
        ("ru", "Опубликованы записи: doc-a, doc-b."),
    ])
    def test_the_records_done_are_listed_as_the_language_lists_things(self, alice, bob, login, language, said):
        for identifier in ("doc-a", "doc-b"):
            RecordFactory(status=Status.DRAFT, identifier=identifier).submit(alice)
        response = login(bob).post(self.changelist(), {
            "action": "publish_selected", "_selected_action": list(Record.objects.values_list("pk", flat=True)),
            "apply": "1"},
            follow=True, headers={"accept-language": language})
        assert page_messages(response) == [said]

    def test_contributor_is_not_offered_publish(self, alice, login):
        RecordFactory(status=Status.REVIEW)
        page = login(alice).get(self.changelist()).content.decode()
        assert 'value="submit_selected"' in page
        assert 'value="publish_selected"' not in page

    def test_contributor_crafting_a_bulk_publish_changes_nothing(self, alice, login):
        record = RecordFactory(status=Status.REVIEW)
        login(alice).post(self.changelist(), {"action": "publish_selected", "_selected_action": [record.pk]})
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW

    def test_withdraw_asks_for_a_reason_first(self, bob, login):
        record = RecordFactory(status=Status.PUBLISHED)
        client = login(bob)
        asked = client.post(self.changelist(), {"action": "withdraw_selected", "_selected_action": [record.pk]})
        assert asked.status_code == 200 and 'name="transition_comment"' in asked.content.decode()
        assert Record.objects.get(pk=record.pk).status == Status.PUBLISHED
        client.post(self.changelist(), {"action": "withdraw_selected", "_selected_action": [record.pk],
                                        "index": 0, "apply": "1", "transition_comment": "Rights unclear."})
        assert Record.objects.get(pk=record.pk).status == Status.WITHDRAWN
        assert StatusChange.objects.get(record=record).comment == "Rights unclear."

    def test_submit_and_return(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        login(alice).post(self.changelist(), {"action": "submit_selected", "_selected_action": [record.pk],
                                              "apply": "1"})
        assert Record.objects.get(pk=record.pk).status == Status.REVIEW
        login(bob).post(self.changelist(), {"action": "return_selected", "_selected_action": [record.pk],
                                            "index": 0, "apply": "1", "transition_comment": "Needs a date."})
        assert Record.objects.get(pk=record.pk).status == Status.DRAFT


class TestReviewQueue:
    def test_count_on_admin_index_and_filter(self, alice, bob, login):
        for _ in range(2):
            RecordFactory(status=Status.DRAFT).submit(alice)
        RecordFactory(status=Status.DRAFT).submit(bob)
        client = login(bob)
        index = client.get(reverse("admin:index")).content.decode()
        assert "2 records waiting for your review" in index
        listing = client.get(reverse("admin:collection_record_changelist") + "?queue=mine")
        assert listing.context["cl"].result_count == 2

    def test_not_shown_to_contributors(self, alice, login):
        RecordFactory(status=Status.DRAFT).submit(alice)
        assert "waiting for your review" not in login(alice).get(reverse("admin:index")).content.decode()


class TestPreview:
    def test_staff_sees_an_unpublished_record_as_the_public_will(self, alice, client, login):
        record = RecordFactory(status=Status.DRAFT, title="Preview test title")
        url = reverse("admin:collection_record_preview", args=[record.pk])
        response = login(alice).get(url)
        assert response.status_code == 200
        assert "collection/record_detail.html" in [t.name for t in response.templates]
        assert "Preview test title" in response.content.decode()
        assert response["X-Robots-Tag"].startswith("noindex")
        assert client.get(url).status_code == 302
        assert client.get(record.get_absolute_url()).status_code == 404


def preview_url(record, language: str | None = None) -> str:
    url = reverse("admin:collection_record_preview", args=[record.pk])
    return f"{url}?language={language}" if language else url


def catalogued(status: str) -> Record:
    """A record with titles in two languages, an author, a date and a place: something to cite."""
    record = RecordFactory(status=status, title="Camp newspaper", date_edtf="1949", container_title="Tesuto shimbun")
    add_title(record, "収容所新聞", "ja")
    link_agent(record, AgentFactory(name="Tesuto Masaki"))
    record.places.add(PlaceFactory(name="Khabarovsk"))
    return record


def article(html: str) -> str:
    return re.search(r'<article class="record-detail">.*</article>', html, re.DOTALL).group(0)


class TestPreviewAsTheArchivistSeesIt:
    def test_a_banner_says_it_is_a_preview_and_whether_the_record_is_public(self, dana, login):
        client = login(dana)
        for status, notice in [(Status.DRAFT, "Draft — not public"), (Status.REVIEW, "In review — not public"),
                               (Status.WITHDRAWN, "Withdrawn — not public"), (Status.PUBLISHED, "Published — public")]:
            html = client.get(preview_url(RecordFactory(status=status))).content.decode()
            banner = re.search(r'<div class="preview-banner"[^>]*>(.*?)</div>', html, re.DOTALL)
            assert banner, status
            assert f"Preview: {notice}" in banner.group(1)
            # At the top of the page's content, before the record.
            assert html.index("preview-banner") < html.index('<article class="record-detail">')

    def test_the_citations_are_the_ones_the_public_page_will_show(self, alice, login):
        record = catalogued(Status.DRAFT)
        html = login(alice).get(preview_url(record, "en")).content.decode()
        for style, (label, _path) in STYLES.items():
            citation = formatted_citation(record, style, "en")
            assert "Tesuto Masaki" in citation
            assert f'<dt>{label}</dt><dd class="citation">{citation}</dd>' in html

    def test_a_published_record_is_previewed_exactly_as_its_public_page(self, dana, client, login):
        record = catalogued(Status.PUBLISHED)
        public = client.get(record.get_absolute_url()).content.decode()
        preview = login(dana).get(preview_url(record, "en")).content.decode()
        assert article(preview) == article(public)
        assert 'href="http://testserver/en/records/' in preview and "cite.bib" in preview

    def test_the_language_links_switch_the_preview_to_the_japanese_and_russian_page(self, alice, login):
        record = catalogued(Status.DRAFT)
        client = login(alice)
        english = client.get(preview_url(record)).content.decode()
        links = dict(re.findall(r'<a href="([^"]*)" hreflang="(\w+)" lang="\w+"', english))
        assert set(links.values()) == {"ja", "ru", "en"}
        by_language = {language: url for url, language in links.items()}
        assert by_language["ja"] == preview_url(record, "ja")

        japanese = client.get(by_language["ja"])
        html = japanese.content.decode()
        assert '<html lang="ja">' in html and japanese["Content-Language"] == "ja"
        assert "この資料を引用する" in html and "<h1>収容所新聞</h1>" in html
        assert "Tesuto Masaki" in html  # the citations are the Japanese page's too
        assert 'aria-current="true">日本語</a>' in html
        # The banner is for the archivist: in the admin's language, marked as such.
        assert '<div class="preview-banner" role="note" lang="en">' in html

        russian = client.get(by_language["ru"]).content.decode()
        assert '<html lang="ru">' in russian and "Как цитировать эту запись" in russian

        # A language the site does not have: the admin's own.
        assert '<html lang="en">' in client.get(preview_url(record, "de")).content.decode()
        assert '<html lang="ja">' in client.get(preview_url(record, "xx"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    def test_nothing_unpublished_is_a_dead_or_empty_link(self, alice, login):
        record = catalogued(Status.DRAFT)
        for language in ("ja", "ru", "en"):
            html = login(alice).get(preview_url(record, language)).content.decode()
            assert 'href=""' not in html
            assert 'rel="canonical"' not in html
            with translation.override(language):
                permalink = f"http://testserver{record.get_absolute_url()}"
            # The address the record will have is shown as text, with a note; the downloads are not offered.
            assert permalink in html and f'href="{permalink}"' not in html
            assert "available once the record is published" in html
            assert "cite.bib" not in html and "BibTeX" in html

    def test_the_language_switch_opens_the_preview_to_nobody_new(self, client, login):
        from django.contrib.auth.models import Permission

        record = catalogued(Status.DRAFT)
        url = preview_url(record, "ja")
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
        assert login(UserFactory(username="nobody", is_staff=True)).get(url).status_code == 403
        assert login(UserFactory(username="outsider", is_staff=False)).get(url).status_code == 302
        viewer = UserFactory(username="viewer", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_record"))
        shown = login(viewer).get(url)
        assert shown.status_code == 200 and '<html lang="ja">' in shown.content.decode()


class TestPermanentDeletionInAdmin:
    def delete_url(self, record):
        return reverse("admin:collection_record_delete", args=[record.pk])

    def test_only_managers(self, alice, bob, login):
        record = RecordFactory(status=Status.DRAFT)
        for user in (alice, bob):
            assert login(user).post(self.delete_url(record), {"post": "yes", "deletion_reason": "x"}
                                    ).status_code == 403
        assert Record.objects.filter(pk=record.pk).exists()

    def test_reason_required(self, dana, login):
        record = RecordFactory(status=Status.DRAFT)
        client = login(dana)
        assert 'name="deletion_reason"' in client.get(self.delete_url(record)).content.decode()
        client.post(self.delete_url(record), {"post": "yes", "deletion_reason": " "})
        assert Record.objects.filter(pk=record.pk).exists()
        client.post(self.delete_url(record), {"post": "yes", "deletion_reason": "Duplicate entry."})
        assert not Record.objects.filter(pk=record.pk).exists()
        reserved = ReservedIdentifier.objects.get(identifier=record.identifier)
        assert (reserved.deleted_by, reserved.deletion_reason) == (dana, "Duplicate entry.")

    def test_the_confirmation_lists_what_an_archivist_knows_not_internal_tables(self, dana, login):
        from .test_scan_serving import attach

        record = catalogued(Status.DRAFT)
        add_title(record, "Лагерная газета", "ru")
        record.subjects.add(SubjectFactory())
        Description.objects.create(record=record, language="en", text="Four pages, mimeographed.")
        image = attach(record, name="page-1.jpg")
        assert RecordSearch.objects.filter(record=record).exists()
        assert RecordTitleOrder.objects.filter(record=record).exists()
        assert RecordPlaceIndex.objects.filter(record=record).exists()
        client = login(dana)
        page = client.get(self.delete_url(record)).content.decode()
        listed = page[page.index("<h2>Summary</h2>"):page.index('name="deletion_reason"')]
        for shown in ("Title: Camp newspaper", "Title: 収容所新聞", "Title: Лагерная газета",
                      "Description: en: Four pages, mimeographed.",
                      f"Agent of a record: Tesuto Masaki, author of {record.identifier}",
                      f"Image: <a href=\"{reverse('admin:collection_recordimage_change', args=[image.pk])}\">",
                      "Titles: 3", "Descriptions: 1", "Images: 1"):
            assert shown in listed, shown
        for hidden in ("Search keys", "search keys of record", "Title order", "Record place ind",
                       "relationship", "_places object", "ready export row"):
            assert hidden not in listed, hidden
        # What the page leaves out is deleted all the same.
        client.post(self.delete_url(record), {"post": "yes", "deletion_reason": "Catalogued twice."})
        assert not Record.objects.filter(pk=record.pk).exists()
        for model in (RecordSearch, RecordTitleOrder, RecordPlaceIndex):
            assert not model.objects.filter(record_id=record.pk).exists(), model
        assert not Record.places.through.objects.filter(record_id=record.pk).exists()


NEVER_PUBLIC = {"draft": Status.DRAFT, "in review": Status.REVIEW, "imported withdrawn": Status.WITHDRAWN}


def published_then(status):
    """A record that was published, and is now in ``status``."""
    record = RecordFactory(status=Status.PUBLISHED, title="Test once public")
    if status != Status.PUBLISHED:
        record.withdraw(UserFactory(username="test-withdrawer", is_superuser=True), "Rights unclear.")
        if status == Status.DRAFT:
            Record.objects.get(pk=record.pk).reopen(UserFactory(username="test-reopener", is_superuser=True))
    return Record.objects.get(pk=record.pk)


class TestDeletionPageAndThePublicNotice:
    """The deletion page promises a public notice, and offers to hide its title, only for a record the public
    knew: a record never published leaves none (its address answers 404, as an identifier never given)."""

    def delete_url(self, record):
        return reverse("admin:collection_record_delete", args=[record.pk])

    def page(self, client, record, language):
        html = client.get(self.delete_url(record), headers={"accept-language": language}).content.decode()
        return " ".join(html.split())

    @pytest.mark.parametrize("status", NEVER_PUBLIC.values(), ids=NEVER_PUBLIC.keys())
    @pytest.mark.parametrize(("language", "said", "not_said"), [
        ("en", "It was never published: its address will answer “Page not found”, as it does now.",
         ["will answer that the record is gone", "Hide the title on the public notice", "notice"]),
        ("ru", "Запись не публиковалась: по её адресу, как и сейчас, будет открываться «Страница не найдена».",
         ["будет сообщаться, что она удалена", "Скрыть заглавие в публичном уведомлении", "уведомлен"]),
        ("ja", "この資料は公開されたことがないため、アドレスには今と同じく「ページが見つかりません」と表示されます。",
         ["資料が削除されたことが表示されます", "告知"]),
    ])
    def test_a_record_never_published_is_deleted_without_a_word_of_a_notice(
            self, dana, login, client, status, language, said, not_said):
        record = RecordFactory(status=status)
        page = self.page(login(dana), record, language)
        assert said in page
        for words in not_said:
            assert words not in page, words
        assert 'name="hide_title"' not in page
        assert 'name="deletion_reason"' in page
        login(dana).post(self.delete_url(record), {"post": "yes", "deletion_reason": "Catalogued twice."})
        assert not Record.objects.filter(pk=record.pk).exists()
        assert client.get(reverse("collection:record-detail", args=[record.identifier])).status_code == 404

    @pytest.mark.parametrize("status", [Status.PUBLISHED, Status.WITHDRAWN, Status.DRAFT])
    @pytest.mark.parametrize(("language", "said", "hide"), [
        ("en", "its address will answer that the record is gone.", "Hide the title on the public notice"),
        ("ru", "по адресу записи будет сообщаться, что она удалена.", "Скрыть заглавие в публичном уведомлении"),
    ])
    def test_a_record_once_published_is_deleted_with_its_notice_and_may_hide_its_title(
            self, dana, login, client, status, language, said, hide):
        record = published_then(status)
        page = self.page(login(dana), record, language)
        assert said in page and hide in page and 'name="hide_title"' in page
        assert "never published" not in page and "не публиковалась" not in page
        login(dana).post(self.delete_url(record), {"post": "yes", "deletion_reason": "Privacy request.",
                                                   "hide_title": "1"})
        notice = client.get(reverse("collection:record-detail", args=[record.identifier]))
        assert notice.status_code == 410 and "Test once public" not in notice.content.decode()

    def test_hiding_the_title_of_a_record_never_published_is_refused(self, dana, login):
        from collection.workflow import TransitionNotAllowed

        record = RecordFactory(status=Status.DRAFT)
        response = login(dana).post(self.delete_url(record), {
            "post": "yes", "deletion_reason": "Catalogued twice.", "hide_title": "1"}, follow=True)
        assert Record.objects.filter(pk=record.pk).exists()
        assert page_messages(response) == [
            "This record was never published: it leaves no public notice, so there is no title to hide."]
        with pytest.raises(TransitionNotAllowed, match="never published"):
            Record.objects.get(pk=record.pk).purge(dana, "Catalogued twice.", hide_title=True)
        assert Record.objects.filter(pk=record.pk).exists()


def test_review_queue_count_is_one_query_however_long_the_queue(alice, bob, rf, django_assert_num_queries):
    from django.template import Context, Template

    for _ in range(5):
        RecordFactory(status=Status.DRAFT).submit(alice)
    request = rf.get("/")
    request.user = bob
    bob.get_all_permissions()  # the permission cache is filled once per request anyway
    with django_assert_num_queries(1):  # COUNT of records in review not submitted by bob (subqueries on history)
        html = Template("{% load collection_admin %}{% review_queue as q %}{{ q.count }}").render(
            Context({"request": request}))
    assert html == "5"


def changelist_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_reserved_identifiers_list_costs_the_same_queries_however_many_rows(admin_client, dana):
    url = reverse("admin:collection_reservedidentifier_changelist")
    for n in range(2):
        RecordFactory(title=f"Kept test record {n}")
        RecordFactory(title=f"Deleted test record {n}").purge(dana, "Duplicate entry.")
    changelist_queries(admin_client, url)  # the session and permissions are cached after the first page
    few = changelist_queries(admin_client, url)
    for n in range(2, 12):
        RecordFactory(title=f"Kept test record {n}")
        RecordFactory(title=f"Deleted test record {n}").purge(dana, "Duplicate entry.")
    assert changelist_queries(admin_client, url) == few
