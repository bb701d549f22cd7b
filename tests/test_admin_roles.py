"""The admin as each role and permission set uses it: what a page names of records to staff who may not view
records, what a page lets one do past one's role, and what the app's admin pages say in Japanese and Russian."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format

from collection.models import Agent, RecordImage, ReservedIdentifier, Status

from . import imaging
from .factories import AgentFactory, UserFactory, link_agent, titled
from .test_images import attach

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Test secretword record"


def staff_allowed(username: str, *codenames: str):
    """A staff member with these permissions of the app and no role."""
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="collection",
                                                         codename__in=codenames))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def image_keeper(db):
    """Staff who may view scans (and delete them, where the record may be edited) but not records."""
    return staff_allowed("image-keeper", "view_recordimage", "delete_recordimage")


@pytest.fixture
def secret_scan():
    record = titled(SECRET_TITLE, status=Status.DRAFT)
    [image] = attach(record, imaging.jpeg(), "page.jpg")
    return record, image


# --- images: an image is shown without its record to staff who may not view records ------------------------------


def test_the_image_pages_name_no_record_to_staff_who_may_not_view_records(image_keeper, secret_scan, login):
    record, image = secret_scan
    client = login(image_keeper)
    for url in (reverse("admin:collection_recordimage_changelist"),
                reverse("admin:collection_recordimage_change", args=[image.pk]),
                reverse("admin:collection_recordimage_history", args=[image.pk])):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "page.jpg" in page, url
        assert record.identifier not in page and "secretword" not in page, url
    # Nor does a search by the identifier tell which images a record has, or that it exists.
    found = client.get(reverse("admin:collection_recordimage_changelist"), {"q": record.identifier})
    assert found.context["cl"].result_count == 0


def test_the_image_pages_name_the_record_to_those_who_may_view_it(alice, secret_scan, login):
    record, image = secret_scan
    client = login(alice)
    listed = client.get(reverse("admin:collection_recordimage_changelist"), {"q": record.identifier})
    assert listed.context["cl"].result_count == 1 and SECRET_TITLE in listed.content.decode()
    page = client.get(reverse("admin:collection_recordimage_change", args=[image.pk])).content.decode()
    assert SECRET_TITLE in page and image.master_download_name() in page


@pytest.mark.parametrize("who", ["image keeper", "alice"])
def test_a_master_downloads_under_the_name_its_image_page_shows(image_keeper, alice, secret_scan, login, who):
    """To staff who may not view records, without the record's identifier, which would tell them the record."""
    record, image = secret_scan
    client = login({"image keeper": image_keeper, "alice": alice}[who])
    shown = image.master_download_name() if who == "alice" else "page.jpg"
    page = client.get(reverse("admin:collection_recordimage_change", args=[image.pk])).content.decode()
    assert f'<a href="{image.url("master")}">{shown}</a>' in page
    assert client.get(image.url("master"))["Content-Disposition"] == f'attachment; filename="{shown}"'


def test_an_images_past_version_cannot_be_saved_over_it_from_its_version_page(alice, login):
    """simple-history's version page would save the past version, here making a private scan of a published
    record public again, for anyone who may view images."""
    record = titled("Test published record")
    [image] = attach(record, imaging.jpeg(), "page.jpg", visibility="public")
    when_public = image.history.earliest("history_id")
    image.visibility = "private"
    image.save()
    client = login(alice)
    url = reverse("admin:collection_recordimage_simple_history", args=[image.pk, when_public.pk])
    history = reverse("admin:collection_recordimage_history", args=[image.pk])
    assert client.post(url, {}).headers["Location"] == history
    assert RecordImage.objects.get(pk=image.pk).visibility == "private"
    assert client.get(url).headers["Location"] == history


# --- deletion pages and reserved identifiers name records only to those who may view them --------------------------


def test_an_agents_refused_deletion_names_no_record_to_staff_who_may_not_view_records(dana, login):
    keeper = staff_allowed("agent-keeper", "view_agent", "delete_agent")
    author, archive = AgentFactory(name="Test author"), AgentFactory(name="Test archive")
    record = titled(SECRET_TITLE, status=Status.DRAFT, repository=archive)
    link_agent(record, author)
    for agent in (author, archive):
        url = reverse("admin:collection_agent_delete", args=[agent.pk])
        page = login(keeper).get(url).content.decode()
        assert "protected related objects" in page and "Records: 1" in page, agent
        assert record.identifier not in page and "secretword" not in page, agent
        login(keeper).post(url, {"post": "yes"})
        assert Agent.objects.filter(pk=agent.pk).exists()
        assert record.identifier in login(dana).get(url).content.decode()  # a manager sees which


def test_a_reserved_identifiers_record_is_named_only_to_staff_who_may_view_records(dana, login):
    keeper = staff_allowed("identifier-keeper", "view_reservedidentifier")
    record = titled(SECRET_TITLE, status=Status.DRAFT)
    reserved = ReservedIdentifier.objects.get(identifier=record.identifier)
    for url in (reverse("admin:collection_reservedidentifier_changelist"),
                reverse("admin:collection_reservedidentifier_change", args=[reserved.pk])):
        assert record.identifier in login(keeper).get(url).content.decode()  # what the list is about
        assert "secretword" not in login(keeper).get(url).content.decode(), url
        assert SECRET_TITLE in login(dana).get(url).content.decode(), url


# --- links to pages that answer nothing ---------------------------------------------------------------------------


def test_only_a_published_record_links_to_its_public_page(bob, login):
    client = login(bob)
    for status in Status.values:
        record = titled(f"Test {status} record", status=status)
        page = client.get(reverse("admin:collection_record_change", args=[record.pk])).content.decode()
        public_url = f'href="{record.get_absolute_url()}"'
        assert (public_url in page) == (status == Status.PUBLISHED), status
        assert reverse("admin:collection_record_preview", args=[record.pk]) in page


def test_an_agent_links_to_its_public_page_only_once_a_published_record_names_it(dana, login):
    agent = AgentFactory(name="Test author")
    record = titled("Test draft", status=Status.DRAFT)
    link_agent(record, agent)
    url = reverse("admin:collection_agent_change", args=[agent.pk])
    assert agent.get_absolute_url() not in login(dana).get(url).content.decode()
    record.submit(by=dana)
    record.publish(by=dana)
    assert agent.get_absolute_url() in login(dana).get(url).content.decode()


def test_the_review_queue_is_offered_only_to_those_who_review(alice, bob, login):
    changelist = reverse("admin:collection_record_changelist")
    assert "Waiting for my review" not in login(alice).get(changelist).content.decode()
    assert "Waiting for my review" in login(bob).get(changelist).content.decode()


def test_the_review_count_is_not_shown_to_a_reviewer_who_may_not_view_records(bob, login):
    titled("Test record in review", status=Status.REVIEW)
    blind = staff_allowed("blind-reviewer", "review_record", "publish_record")
    assert "waiting for your review" not in login(blind).get(reverse("admin:index")).content.decode()
    assert "1 record waiting for your review" in login(bob).get(reverse("admin:index")).content.decode()


# --- the app's own words on the image pages, in Japanese and Russian -------------------------------------------------


@pytest.mark.parametrize(("language", "size", "title", "added"), [
    ("ja", "バイト", "変更履歴：page.jpg", "追加"),
    ("ru", "байт", "История изменений: page.jpg", "добавление"),
])
def test_the_image_pages_speak_the_admins_language(dana, login, secret_scan, language, size, title, added):
    record, image = secret_scan
    client = login(dana)
    client.cookies["django_language"] = language
    form = client.get(reverse("admin:collection_record_change", args=[record.pk])).content.decode()
    with translation.override(language):
        assert f"{number_format(image.size, force_grouping=True)} {size}" in form
    history = client.get(reverse("admin:collection_recordimage_history", args=[image.pk])).content.decode()
    assert title in history and added in history
    assert "View history" not in history and "Created" not in history


def test_a_skipped_records_identifier_keeps_its_letter_case_in_japanese(alice, login):
    """The admin capitalizes the first letter of every message: a message must not begin with an identifier."""
    record = titled("Test published record", identifier="mem-test-000003")
    client = login(alice)
    client.cookies["django_language"] = "ja"
    response = client.post(reverse("admin:collection_record_changelist"),
                           {"action": "submit_selected", "_selected_action": [record.pk], "apply": "1"}, follow=True)
    [skipped] = [str(message) for message in response.context["messages"]]
    assert "mem-test-000003" in skipped
    assert "Mem-test-000003" not in response.content.decode()
