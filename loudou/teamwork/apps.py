from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamworkConfig(AppConfig):
    name = "loudou.teamwork"
    verbose_name = _("团队协作")
