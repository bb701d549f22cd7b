"""Check every stored master against the SHA-256 recorded when it was uploaded."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...models.images import check_fixity


class Command(BaseCommand):
    help = ("Recompute the SHA-256 of every master scan (current and replaced) and report changed and missing "
            "files. Exits with status 1 if any file failed.")

    def handle(self, *args: Any, **options: Any) -> None:
        checked = failed = 0
        for name, problem in check_fixity():
            checked += 1
            if problem is None:
                if options["verbosity"] >= 2:
                    self.stdout.write(f"OK       {name}")
                continue
            failed += 1
            images = ", ".join(str(pk) for pk in problem.images) or "none (replaced master kept in history)"
            if problem.problem == "missing":
                self.stdout.write(f"MISSING  {name} (images: {images}; expected sha256 {problem.expected})")
            else:
                self.stdout.write(f"CHANGED  {name} (images: {images}; expected sha256 {problem.expected}, "
                                  f"found {problem.found})")
        summary = f"{checked} master file(s) checked, {failed} failed."
        if failed:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
