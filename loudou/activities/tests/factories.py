from datetime import datetime

from django.utils import timezone

from loudou.activities.models import FollowUp
from loudou.activities.services import log_follow_up
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead

#: Registration answers the default grading rules grade A (high intent).
HIGH_INTENT = {"need_level": "explicit", "budget_fit": "fits", "decision_cycle": "1m"}


def make_high_intent_lead(*, actor, **values) -> Lead:
    return make_lead(actor=actor, **{**HIGH_INTENT, **values})


def log(*, lead: Lead, actor, **values) -> FollowUp:
    """A follow-up through the real service; a summary unless given."""
    values.setdefault("summary", "电话沟通了需求")
    return log_follow_up(lead=lead, actor=actor, values=values)


def local(*args) -> datetime:
    """An aware datetime in the site's time zone (Asia/Shanghai)."""
    return datetime(*args, tzinfo=timezone.get_default_timezone())
