"""A language of the material is listed once: its BCP 47 tag means the same in capitals or small letters, so the
admin refuses a tag that differs from a listed one only so (as an import names the listed language by it)."""

import pytest
from django.urls import reverse

from collection.models import Language

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("tag", ["RU", "Ru", "ja-latn"])
def test_a_tag_differing_from_a_listed_one_only_in_letter_case_is_refused_beside_the_tag(admin_client, tag):
    Language.objects.create(tag="ru")
    Language.objects.create(tag="ja-Latn")
    response = admin_client.post(reverse("admin:collection_language_add"), {"tag": tag})
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["tag"]
    listed = "ru" if tag.lower() == "ru" else "ja-Latn"
    assert f"“{tag}”" in message and f"“{listed}”" in message
    assert sorted(Language.objects.values_list("tag", flat=True)) == ["ja-Latn", "ru"]


def test_the_message_is_in_the_admins_language(admin_client):
    Language.objects.create(tag="ru")
    response = admin_client.post(reverse("admin:collection_language_add"), {"tag": "RU"},
                                 headers={"accept-language": "ja"})
    [message] = response.context["adminform"].form.errors["tag"]
    assert "「RU」" in message and "「ru」" in message


def test_a_listed_language_is_saved_again_unchanged(admin_client):
    language = Language.objects.create(tag="ru")
    response = admin_client.post(reverse("admin:collection_language_change", args=[language.pk]), {"tag": "ru"})
    assert response.status_code == 302


def test_a_new_tag_is_added(admin_client):
    Language.objects.create(tag="ru")
    assert admin_client.post(reverse("admin:collection_language_add"), {"tag": "de"}).status_code == 302
    assert sorted(Language.objects.values_list("tag", flat=True)) == ["de", "ru"]
