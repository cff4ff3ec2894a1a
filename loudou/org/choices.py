from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    DIRECTOR = "director", _("销售总监")
    MANAGER = "manager", _("销售经理")
    SENIOR_REP = "senior_rep", _("高级销售员")
    JUNIOR_REP = "junior_rep", _("初级销售员")
    ASSISTANT = "assistant", _("销售助理")
    SUPPORT = "support", _("支持组/培训师")
    MARKETING = "marketing", _("市场部")


#: Roles that see every record.
ALL_SEEING = {Role.ADMIN, Role.DIRECTOR}
#: Roles that may reveal the masked contact details of records they see (each reveal is
#: logged): a manager sees the team's records masked and cannot unmask them.
REVEALING = {Role.ADMIN, Role.DIRECTOR}
#: Roles that own and work leads themselves.
SELLING = {Role.MANAGER, Role.SENIOR_REP, Role.JUNIOR_REP, Role.ASSISTANT}


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("简体中文")
    EN = "en", _("English")
