"""The words of the database task backend the admin shows, given here so that the demo's catalogues translate them.

The backend marks them for translation but ships no catalogue (and on Django 5.2 its backport ships none for the
statuses Django 6 translates itself). Nothing imports this module: ``makemessages`` reads it. "status" is left
to the app's catalogue, which translates it already.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MESSAGES = (
    _("Task Result"), _("Task Results"), _("enqueued at"), _("started at"), _("finished at"),
    _("args kwargs"), _("priority"), _("task path"), _("worker id"), _("queue name"), _("backend name"),
    _("run after"), _("return value"), _("exception class path"), _("traceback"),
    pgettext_lazy("Task", "Ready"), pgettext_lazy("Task", "Running"), pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)
