from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """Why a person's contact details are collected and used (PIPL: a stated purpose)."""

    SALES = "sales", _("销售跟进")
    MARKETING = "marketing", _("营销推送")
    SERVICE = "service", _("售后服务")


class ConsentSource(models.TextChoices):
    """How a consent (or its withdrawal) was given."""

    WEB_FORM = "web_form", _("网页表单勾选")
    FORM = "form", _("页面登记")
    VERBAL = "verbal", _("口头/电话确认")
    WRITTEN = "written", _("书面/邮件")
    IMPORT = "import", _("导入")
    API = "api", _("API")
