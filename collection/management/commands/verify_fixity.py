"""Check every stored master against the SHA-256 recorded when it was uploaded."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...models.images import FixityProblem, check_fixity


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Recompute the SHA-256 of every master scan (current, replaced and of deleted images) and report "
                 "changed, missing and unreadable files. Exits with status 1 if any file failed.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Worded in the site's language; the OK, CHANGED, MISSING and UNREADABLE marks stay as they are, for scripts
        # to read.
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
                self.stdout.write(f"MISSING  {name} "
                                  + _("(images: %(images)s; expected sha256 %(expected)s; uploaded as “%(uploaded)s”)")
                                  % {"images": images, "expected": problem.expected, "uploaded": problem.uploaded_as})
            elif problem.problem == "unreadable":
                self.stdout.write(f"UNREADABLE {name} "
                                  + _("(images: %(images)s; expected sha256 %(expected)s; uploaded as “%(uploaded)s”; "
                                      "cannot be read: %(reason)s)")
                                  % {"images": images, "expected": problem.expected, "uploaded": problem.uploaded_as,
                                     "reason": problem.reason})
            else:
                self.stdout.write(f"CHANGED  {name} "
                                  + _("(images: %(images)s; expected sha256 %(expected)s, found %(found)s; "
                                      "uploaded as “%(uploaded)s”)")
                                  % {"images": images, "expected": problem.expected, "found": problem.found,
                                     "uploaded": problem.uploaded_as})
        summary = _("%(checked)s master file(s) checked, %(failed)s failed.") % {"checked": checked, "failed": failed}
        if failed:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))


def _no_image(problem: FixityProblem) -> str:
    """Why a master that no image uses now is still checked: its image was deleted, or got a new master."""
    if problem.former == "deleted":
        former = ", ".join(str(pk) for pk in problem.former_images)
        return _("none (master of deleted image %(images)s kept in history)") % {"images": former}
    return _("none (replaced master kept in history)")
