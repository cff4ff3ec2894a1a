from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    """The nine exception rules of SPEC §7 (意外状态)."""

    OFF_FUNNEL = "off_funnel", _("体外签单")
    MANY_OPPORTUNITIES = "many_opportunities", _("商机多签约少")
    LOW_MOVE_RATE = "low_move_rate", _("移动率低")
    HIGH_ABANDONMENT = "high_abandonment", _("放弃率高")
    LONG_CYCLE = "long_cycle", _("周期长于理想")
    NO_FOLLOW_UP = "no_follow_up", _("分配后未及时跟进")
    NO_PROGRESS = "no_progress", _("多次跟进无进展")
    STALLED = "stalled", _("商机逾期停滞")
    COUNT_OFF_IDEAL = "count_off_ideal", _("阶段客户数偏离理想")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RESOLVED = "resolved", _("已解决")
