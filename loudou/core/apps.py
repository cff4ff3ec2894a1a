from django.apps import AppConfig
from django.db.models import fields
from django.forms.models import ModelChoiceField
from django.utils.translation import gettext_lazy as _

from loudou.core.forms import ListedChoiceIterator

# The blank choice of every select built from a model field: Django 6.1's "- Select an
# option -" has no zh-hans translation. Set while the app registry loads, before admin's
# ready() builds the admin ModelForms (their fields copy the label when they are made).
fields.BLANK_CHOICE_LABEL = _("请选择")
# Every model select (ModelMultipleChoiceField included) reads its choices in one query.
ModelChoiceField.iterator = ListedChoiceIterator


class CoreConfig(AppConfig):
    name = "loudou.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from loudou.core import converters
        from loudou.core.database import after_migrate

        converters.register()  # before any URLconf is read

        # sent once per app and migrate run: listening to one app's gathers them once
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="loudou.core.statistics")
