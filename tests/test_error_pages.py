"""The site's own pages for an address that is not there, a page one may not open, and a server error: in the
collection's layout and language, telling nothing of unpublished records."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from collection.models import Status

from .factories import RecordFactory
from .roles import change_form_data

pytestmark = pytest.mark.django_db

SITE_NAMES = {"ja": "テスト資料集", "ru": "Тестовая коллекция", "en": "Test collection"}


@pytest.fixture(autouse=True)
def _site_name(settings):
    settings.COLLECTION_SITE_NAME = SITE_NAMES


def main_of(response) -> str:
    return response.content.decode().split('<main id="main">')[1].split("</main>")[0]


@pytest.mark.parametrize(("language", "heading"), [("ja", "ページが見つかりません"), ("ru", "Страница не найдена"),
                                                    ("en", "Page not found")])
def test_an_address_that_is_not_there_gets_the_sites_page_in_its_language(client, language, heading):
    response = client.get(f"/{language}/records/test-nothing-here/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page
    assert f'class="site-name" href="/{language}/">{SITE_NAMES[language]}</a>' in page
    assert f'action="/{language}/records/"' in page  # a search to go on with
    assert '<meta name="robots" content="noindex">' in page


def test_a_draft_is_not_found_exactly_as_an_address_that_never_was(client):
    RecordFactory(identifier="test-draft", status=Status.DRAFT)
    draft = client.get("/en/records/test-draft/")
    nothing = client.get("/en/records/test-nothin/")
    assert draft.status_code == nothing.status_code == 404
    assert main_of(draft) == main_of(nothing)


def test_a_page_one_may_not_open_gets_the_sites_page(alice, login):
    record = RecordFactory(status=Status.REVIEW)
    response = login(alice).post(f"/admin/collection/record/{record.pk}/change/",
                                 change_form_data(record, _transition="publish"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 403
    assert "<h1>Доступ запрещён</h1>" in response.content.decode()


def test_a_server_error_page_stands_alone_in_three_languages():
    response = server_error(RequestFactory().get("/en/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Server error" in page and "サーバーエラー" in page and "Ошибка сервера" in page
    # One heading for the page, each language's words marked with their language.
    assert page.count("<h1") == 1
    assert '<span lang="ja">サーバーエラー</span>' in page and '<p lang="ru">' in page


@pytest.mark.parametrize("language", ["ja", "ru", "en"])
def test_the_site_is_named_in_the_pages_language(client, language):
    page = client.get(f"/{language}/").content.decode()
    assert f"<h1>{SITE_NAMES[language]}</h1>" in page
    assert f"· {SITE_NAMES[language]}</title>" in page


def test_without_a_name_the_site_is_a_collection_in_each_language(client, settings):
    settings.COLLECTION_SITE_NAME = None
    assert "<h1>コレクション</h1>" in client.get("/ja/").content.decode()
    settings.COLLECTION_SITE_NAME = "One name"
    assert "<h1>One name</h1>" in client.get("/ru/").content.decode()


def test_answers_about_what_is_not_public_are_asked_again_each_time(client, bob):
    from collection.models import Status
    from collection.workflow import ACTIONS, apply_action

    record = RecordFactory(identifier="test-later", status=Status.DRAFT)
    for address in ("/en/records/test-later/", "/en/records/test-later/cite.bib", "/api/records/test-later/",
                    "/en/agents/test-nobody/", "/en/records/test-never/"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert "no-cache" in response["Cache-Control"], address
    record.status = Status.PUBLISHED
    record.save()
    assert client.get("/en/records/test-later/").status_code == 200
    apply_action(record, bob, ACTIONS["withdraw"], "Test reason.")
    gone = client.get("/en/records/test-later/")
    assert gone.status_code == 410 and "no-cache" in gone["Cache-Control"]
