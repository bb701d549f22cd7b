"""The app's migrations never depend on the host's language settings."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("collection_languages", "languages"),
    [
        (["ja", "ru", "en"], [("ja", "Japanese"), ("ru", "Russian"), ("en", "English")]),
        (["en", "de", "ko", "zh-Hant"], [("en", "English"), ("de", "German")]),
    ],
)
def test_no_new_migrations_when_languages_change(settings, collection_languages, languages):
    settings.COLLECTION_LANGUAGES = collection_languages
    settings.LANGUAGES = languages
    call_command("makemigrations", "collection", "--check", "--dry-run", verbosity=0)
