"""Logging follow-ups (跟进记录) and closing their next actions."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.activities.choices import Result
from loudou.activities.models import FollowUp
from loudou.activities.services import contacts
from loudou.compliance.validation import refuse_sensitive
from loudou.core import audit
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

#: What a caller may set on a follow-up.
FOLLOW_UP_FIELDS = [
    "occurred_at",
    "channel",
    "summary",
    "feedback_category",
    "feedback_text",
    "objection_handling",
    "next_action",
    "next_action_owner",
    "next_action_due",
    "result",
]
TEXT_FIELDS = ["summary", "feedback_text", "objection_handling", "next_action"]
#: A follow-up may be logged a little ahead of the server clock, not later.
CLOCK_SLACK = timedelta(minutes=5)


def _labels() -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in FollowUp._meta.fields}


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(FOLLOW_UP_FIELDS)
    if unknown:
        raise ValidationError({name: _("不可编辑的字段。") for name in sorted(unknown)})
    refuse_sensitive(values, _labels())
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    for name in TEXT_FIELDS:
        clean[name] = clean.get(name) or ""
    if not clean["summary"]:
        raise ValidationError({"summary": _("请填写跟进内容摘要。")})
    return clean


def _next_action_owner(lead: Lead, actor: User, values: dict[str, Any]) -> User | None:
    """The owner of the next action: given, else the lead's owner, else the actor. Only
    people the actor may assign to, besides the lead's own owner."""
    if not values["next_action"]:
        return None
    owner = values.get("next_action_owner") or lead.owner or actor
    if owner.pk != lead.owner_id:
        ensure_assignable(actor, owner)
    return owner


def _build(lead: Lead, actor: User, values: dict[str, Any], now) -> FollowUp:
    follow_up = FollowUp(lead=lead, author=actor, **values)
    follow_up.occurred_at = values.get("occurred_at") or now
    if follow_up.occurred_at > now + CLOCK_SLACK:
        raise ValidationError({"occurred_at": _("跟进时间不能晚于现在。")})
    follow_up.next_action_owner = _next_action_owner(lead, actor, values)
    if not values.get("result"):
        follow_up.result = Result.PENDING if follow_up.next_action else Result.DONE
    if follow_up.next_action and follow_up.result != Result.PENDING:
        follow_up.next_action_done_at = now
    follow_up.full_clean()
    return follow_up


def _touch_lead(lead: Lead, occurred_at, actor: User) -> None:
    """Move last_contact_at forward (never back) and let the status follow, with
    conditional UPDATEs so that concurrent follow-ups and stage moves both stick."""
    tracked = ["status", "last_contact_at"]
    lead.refresh_from_db(fields=tracked)
    before = audit.snapshot(lead, tracked)
    contacts.touch(lead.pk, occurred_at)
    contacts.follow_status(lead)
    lead.refresh_from_db(fields=["first_contact_at", "stage_follow_ups"])
    audit.record(
        obj=lead,
        actor=actor,
        verb="lead.follow_up",
        changes=audit.diff(before, audit.snapshot(lead, tracked)),
    )


@transaction.atomic
def log_follow_up(*, lead: Lead, actor: User, values: dict[str, Any]) -> FollowUp:
    """Record a follow-up of `lead` (which the caller has already checked `actor` may see).

    `values` holds FOLLOW_UP_FIELDS with model instances for the foreign keys. The lead's
    last contact moves to the follow-up time when later, and its status follows
    (`Lead.derive_status`). Raises ValidationError / PermissionDenied with nothing written.
    """
    now = timezone.now()
    follow_up = _build(lead, actor, _clean_values(values), now)
    follow_up.save()
    _touch_lead(lead, follow_up.occurred_at, actor)
    return follow_up


@transaction.atomic
def complete_next_action(*, follow_up: FollowUp, actor: User, result: str) -> FollowUp:
    """Close the open next action of `follow_up` as done or failed. Of two concurrent
    completions exactly one wins; the other gets a ValidationError."""
    if result not in {Result.DONE, Result.FAILED}:
        raise ValidationError({"result": _("结果只能是“已完成”或“失败”。")})
    now = timezone.now()
    closed = (
        FollowUp.objects.filter(pk=follow_up.pk, next_action_done_at__isnull=True)
        .exclude(next_action="")
        .update(next_action_done_at=now, result=result)
    )
    if closed != 1:
        raise ValidationError(_("这条下一步行动已经关闭。"), code="already_closed")
    follow_up.next_action_done_at, follow_up.result = now, result
    audit.record(
        obj=follow_up.lead,
        actor=actor,
        verb=f"lead.next_action_{result}",
        reason=follow_up.next_action,
    )
    return follow_up
