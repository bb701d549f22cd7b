"""Named users in the editorial roles, as the groups made by the ``0003_roles`` migration define them.

alice contributes, bob and carol review, dana manages the collection; anyone
else is an anonymous visitor (the plain ``client``).
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client

from .factories import UserFactory

ROLES = ("Contributor", "Reviewer", "Collection manager")


def ensure_roles() -> None:
    # A transactional test (live_server) flushes the groups the migration made.
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        importlib.import_module("collection.migrations.0003_roles").create_roles(apps, None)


def staff_in(role: str, username: str):
    ensure_roles()
    user = UserFactory(username=username, is_staff=True, first_name=username.capitalize())
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def alice(db):
    return staff_in("Contributor", "alice")


@pytest.fixture
def bob(db):
    return staff_in("Reviewer", "bob")


@pytest.fixture
def carol(db):
    return staff_in("Reviewer", "carol")


@pytest.fixture
def dana(db):
    return staff_in("Collection manager", "dana")


@pytest.fixture
def login():
    """``login(user)`` gives a test client signed in as ``user``."""

    def signed_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in
