"""Prepare the demo site: an administrator account (printed) and the seeded collection."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from collection.conf import app_settings
from collection.models import Language


class Command(BaseCommand):
    help = "Create the demo administrator, load the seeded collection and print the login."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1:8000", help="Where the site will be served, for the "
                                                                        "addresses printed (make demo's HOST).")

    def handle(self, *args, **options) -> None:
        if "load_seed" in get_commands():
            call_command("load_seed", verbosity=options["verbosity"])
        # The seed tags only the records it knows the language of; a contributor, who may not add languages,
        # finds the cataloguing languages to choose for a new record.
        for tag in app_settings.LANGUAGES:
            Language.objects.get_or_create(tag=tag)
        username = os.environ.get("DEMO_ADMIN_USER", "admin")
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(
            f"\nDemo site: http://{options['host']}/  admin: http://{options['host']}/admin/\n"
            f"Admin login: {username}  password: {password}\n"
        ))
