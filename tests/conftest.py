import os
import threading

import pytest
from django.db import connections, transaction
from django.test import testcases
from django.utils import translation

pytest_plugins = ["tests.roles"]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's chromium: Playwright's own browser downloads are not available."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class _OneRequestAtATime:
    """The live server's application, serving one request at a time on SQLite.

    There the server's request threads share the test's in-memory database connection, and two
    queries at once on it fail ("bad parameter or other API misuse"), as a page's images asked for
    together did now and then.
    """

    lock = threading.Lock()

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        self.lock.acquire()
        try:
            response = self.app(environ, start_response)
        except BaseException:
            self.lock.release()
            raise
        return _ReleasedWhenSent(response, self.lock)


class _ReleasedWhenSent:
    """A response that holds the lock until it is sent: a streamed export reads the database as it goes."""

    def __init__(self, response, lock):
        self.response, self.lock = response, lock

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.lock.release()


@pytest.fixture(autouse=True, scope="session")
def _serial_live_server_on_sqlite():
    create = testcases.LiveServerThread._create_server

    def create_serial(self, connections_override=None):
        server = create(self, connections_override=connections_override)
        if connections["default"].vendor == "sqlite":
            set_app = server.set_app
            server.set_app = lambda app: set_app(_OneRequestAtATime(app))
        return server

    testcases.LiveServerThread._create_server = create_serial
    yield
    testcases.LiveServerThread._create_server = create


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to a /ja/ or /ru/ page leaves its language active; each test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = str(settings.BASE_DIR / "build" / "test-media")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every test user has a password; the production hasher spends most of a second on each on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="class")
def class_data(django_db_setup, django_db_blocker):
    """A transaction that the data a class's tests share is built in, rolled back when the class is done.

    Each test's own transaction is a savepoint inside it, so what a test changes is undone before the
    next one, and the data is built once rather than once per test. A test's rollback undoes the database,
    not Python objects: a class-scoped fixture hands out identifiers or querysets, or objects no test changes.
    A test that needs other connections to see the data (a live server, threads) cannot share it: the data is
    never committed.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def _scan_storage(settings, tmp_path):
    """Scans go to a fresh private directory per test, never to the demo's private-media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "collection_images": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "scans"), "base_url": "/no-public-url/"},
        },
    }


@pytest.fixture
def seeded(db):
    """The seeded collection, loaded as `make demo` loads it."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_seed", stdout=StringIO())
