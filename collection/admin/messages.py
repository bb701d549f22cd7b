"""Django's admin messages that name a model, in words that agree with any of the app's models.

Django's Russian catalogue says them with a verb in the masculine ("{name} … был успешно
изменен"), which disagrees with most of the app's models: «запись», «предметная рубрика», «место». The
app's catalogues word them so that no word agrees with the model's name ("Изменено:
запись «…»"). Django merges the catalogues of installed apps so that an app listed first
wins: these take effect where ``collection`` is listed above ``django.contrib.admin``, and
then for the site's other models as well, which the wording suits as much.

Listed here so that ``makemessages`` keeps them in the app's catalogues; they are Django's
messages, to the letter.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_MESSAGES = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
)
