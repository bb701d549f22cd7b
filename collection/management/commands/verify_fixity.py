"""Check every stored master against the SHA-256 recorded when it was uploaded."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...models.images import FixityProblem, check_fixity


class Command(BaseCommand):
    help = ("Recompute the SHA-256 of every master scan (current, replaced and of deleted images) and report "
            "changed and missing files. Exits with status 1 if any file failed.")

    def handle(self, *args: Any, **options: Any) -> None:
        checked = failed = 0
        for name, problem in check_fixity():
            checked += 1
            if problem is None:
                if options["verbosity"] >= 2:
                    self.stdout.write(f"OK       {name}")
                continue
            failed += 1
            images = ", ".join(str(pk) for pk in problem.images) or _no_image(problem)
            if problem.problem == "missing":
                self.stdout.write(f"MISSING  {name} (images: {images}; expected sha256 {problem.expected})")
            else:
                self.stdout.write(f"CHANGED  {name} (images: {images}; expected sha256 {problem.expected}, "
                                  f"found {problem.found})")
        summary = f"{checked} master file(s) checked, {failed} failed."
        if failed:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))


def _no_image(problem: FixityProblem) -> str:
    """Why a master that no image uses now is still checked: its image was deleted, or got a new master."""
    if problem.former == "deleted":
        former = ", ".join(str(pk) for pk in problem.former_images)
        return f"none (master of deleted image {former} kept in history)"
    return "none (replaced master kept in history)"
