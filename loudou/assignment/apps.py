from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentConfig(AppConfig):
    name = "loudou.assignment"
    verbose_name = _("分配与公海")
