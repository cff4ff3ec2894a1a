from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "loudou.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from loudou.core.database import after_migrate

        # sent once per app and migrate run: listening to one app's gathers them once
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="loudou.core.statistics")
