"""Fail unless a built wheel ships the app's templates, static files, translations and migrations."""

import sys
import zipfile

REQUIRED = [
    "collection/templates/collection/base.html",
    "collection/static/collection/collection.css",
    "collection/locale/ja/LC_MESSAGES/django.mo",
    "collection/locale/ru/LC_MESSAGES/django.mo",
    "collection/migrations/0001_initial.py",
]

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
missing = [name for name in REQUIRED if name not in names]
leaked = sorted(name for name in names if name.startswith(("tests/", "demo/")))
if missing or leaked:
    print("missing from the wheel:", missing, "should not be in it:", leaked)
    sys.exit(1)
print(f"wheel OK: {len(names)} files")
