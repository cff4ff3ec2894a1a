"""Editing cadence rules, and each user's secret calendar-feed address."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.activities.models import CadenceRule, CalendarFeed, new_feed_token
from loudou.core import audit
from loudou.org.models import User

CADENCE_FIELDS = {"first_response_hours", "touch_interval_days"}


@transaction.atomic
def update_cadence_rule(*, actor: User, grade: str, values: dict[str, Any]) -> CadenceRule:
    """Change the cadence of one intent grade (administrators only), with an audit event."""
    if not actor.is_org_admin:
        raise PermissionDenied(_("只有系统管理员可以修改跟进节奏。"))
    unknown = set(values) - CADENCE_FIELDS
    if unknown:
        raise ValidationError({name: _("不可编辑的字段。") for name in sorted(unknown)})
    rule = CadenceRule.objects.filter(grade=grade).first()
    if rule is None:
        raise ValidationError({"grade": _("未知的意向等级：{grade}").format(grade=grade)})
    audit.save_with_audit(obj=rule, actor=actor, verb="cadence_rule.updated", values=values)
    return rule


def ensure_calendar_feed(*, user: User) -> CalendarFeed:
    """The user's feed, created with a fresh secret on first use."""
    return CalendarFeed.objects.get_or_create(user=user)[0]


@transaction.atomic
def regenerate_calendar_feed(*, user: User) -> CalendarFeed:
    """Give the user a new secret feed address; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": new_feed_token()}
    )
    return feed
