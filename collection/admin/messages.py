"""Django's admin sentences that name a model, in words that agree with any of the app's models.

Django's Russian catalogue puts the model's name, in the nominative, where a sentence wants another case or a
verb that agrees with it ("{name} … был успешно изменен", «Выберите предметная рубрика для изменения»,
«Удаление место …»), which disagrees with most of the app's models: «запись», «предметная рубрика», «место». The
app's catalogues word them so that no word agrees with the model's name, the name standing after a colon
("Изменено: запись «…»", «Выберите для изменения: предметная рубрика», «Нельзя удалить: место «…»»). Django
merges the catalogues of installed apps so that an app listed first wins: these take effect where
``collection`` is listed above ``django.contrib.admin``, and then for the site's other models as well, which
the wording suits as much.

Listed here so that ``makemessages`` keeps them in the app's catalogues; they are Django's messages, to the
letter, in each Django version the app supports: a message Django words otherwise in one version is listed in
that version's tuple.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_MESSAGES = (
    # What a save or a deletion did
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
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    # Page titles, breadcrumbs and buttons
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Cannot delete %(name)s"),
    # Deleting the selected entries of a list
    gettext_noop("Are you sure you want to delete the selected %(objects_name)s? All of the following objects and "
                 "their related items will be deleted:"),
    gettext_noop("Deleting the selected %(objects_name)s would require deleting the following protected related "
                 "objects:"),
    gettext_noop("Deleting the selected %(objects_name)s would result in deleting related objects, but your account "
                 "doesn't have permission to delete the following types of objects:"),
)

DJANGO_5_ONLY = (
    # Deleting one entry: Django 6 quotes its name in curly quotation marks
    gettext_noop('Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following '
                 'related items will be deleted:'),
    gettext_noop("Deleting the %(object_name)s '%(escaped_object)s' would require deleting the following "
                 "protected related objects:"),
    gettext_noop("Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but "
                 "your account doesn't have permission to delete the following types of objects:"),
)

DJANGO_6_ONLY = (
    gettext_noop("Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the following "
                 "related items will be deleted:"),
    gettext_noop("Deleting the %(object_name)s “%(escaped_object)s” would require deleting the following "
                 "protected related objects:"),
    gettext_noop("Deleting the %(object_name)s “%(escaped_object)s” would result in deleting related objects, but "
                 "your account doesn't have permission to delete the following types of objects:"),
    # The heading of a list's search form, read by screen readers
    gettext_noop("Search %(name)s"),
)
