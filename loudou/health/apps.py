from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "loudou.health"
    verbose_name = _("销售流程健康度")
