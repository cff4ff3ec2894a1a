from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebformsConfig(AppConfig):
    name = "loudou.webforms"
    verbose_name = _("网页表单")
