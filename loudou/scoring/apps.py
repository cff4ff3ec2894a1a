from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "loudou.scoring"
    verbose_name = _("预测评分")
