from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "loudou.analytics"
    verbose_name = _("漏斗分析")

    def ready(self) -> None:
        from loudou.analytics import signals  # noqa: F401 — connects the aggregate keepers
