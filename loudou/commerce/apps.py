from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "loudou.commerce"
    verbose_name = _("合同与订单")
