"""Protected reads of follow-ups and next actions: the agenda, the team's overdue list,
the matching script template and the merged lead timeline."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.activities.models import CalendarFeed, FollowUp, ScriptTemplate
from loudou.activities.sla import SlaContext
from loudou.leads.models import Lead
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.org.selectors import visibility_q


def visible_follow_ups(user: User) -> QuerySet[FollowUp]:
    """Follow-ups of the leads `user` sees, plus the next actions given to `user`."""
    q = visibility_q(user, owner="lead__owner", captured_by="lead__captured_by")
    if q and user.is_authenticated:  # an empty Q means "everything": OR-ing would narrow it
        q |= Q(next_action_owner=user)
    return FollowUp.objects.filter(q).select_related(
        "lead", "author", "next_action_owner", "feedback_category"
    )


def access_follow_up(user: User, pk: int) -> FollowUp:
    """The follow-up, or Http404 when it is missing or not visible to `user`."""
    follow_up = visible_follow_ups(user).filter(pk=pk).first()
    if follow_up is None:
        raise Http404
    return follow_up


def lead_follow_ups(lead: Lead) -> list[FollowUp]:
    """The follow-ups of a lead the caller has already accessed, newest first."""
    return list(lead.follow_ups.select_related("author", "next_action_owner", "feedback_category"))


def with_first_follow_up(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """Annotate `first_follow_up_at`, which the SLA functions use instead of a query."""
    return leads.annotate(first_follow_up_at=Min("follow_ups__occurred_at"))


def open_next_actions(user: User) -> QuerySet[FollowUp]:
    """The open next actions `user` is responsible for, soonest first."""
    return (
        FollowUp.objects.filter(next_action_owner=user, next_action_done_at__isnull=True)
        .exclude(next_action="")
        .select_related("lead", "next_action_owner")
        .order_by("next_action_due", "id")
    )


def _agenda_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The end of today and of the coming week, local time."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1), today + timedelta(days=7)


def agenda(user: User, now: datetime) -> dict[str, list[FollowUp]]:
    """My open next actions: overdue, due later today, due in the coming week, undated."""
    end_of_today, end_of_week = _agenda_bounds(now)
    actions = open_next_actions(user)
    dated = list(actions.filter(next_action_due__lt=end_of_week))
    return {
        "overdue": [a for a in dated if a.next_action_due < now],
        "today": [a for a in dated if now <= a.next_action_due < end_of_today],
        "week": [a for a in dated if end_of_today <= a.next_action_due],
        "undated": list(actions.filter(next_action_due__isnull=True)),
    }


def agenda_summary(user: User, now: datetime, shown: int = 5) -> dict:
    """What the home page shows of `agenda`: how many actions each part holds, counted by
    the database, and the first `shown` overdue and due today (a rep may have thousands)."""
    end_of_today, end_of_week = _agenda_bounds(now)
    actions = open_next_actions(user)
    parts = {
        "overdue": Q(next_action_due__lt=now),
        "today": Q(next_action_due__gte=now, next_action_due__lt=end_of_today),
        "week": Q(next_action_due__gte=end_of_today, next_action_due__lt=end_of_week),
        "undated": Q(next_action_due__isnull=True),
    }
    counts = actions.aggregate(**{name: Count("pk", filter=q) for name, q in parts.items()})
    return {
        "counts": counts,
        "overdue": list(actions.filter(parts["overdue"])[:shown]),
        "today": list(actions.filter(parts["today"])[:shown]),
    }


def may_see_team_overdue(user: User) -> bool:
    return user.is_authenticated and (user.sees_all or user.role == Role.MANAGER)


def team_overdue(user: User, now: datetime, context: SlaContext | None = None) -> dict:
    """Overdue next actions and first-response breaches of the leads a manager's team owns
    (everyone's for director and admin). Others: PermissionDenied."""
    from loudou.activities.services.reminders import (
        first_response_candidates,
        overdue_next_actions,
        sla_breaches,
    )

    if not may_see_team_overdue(user):
        raise PermissionDenied(_("只有销售经理、总监和管理员可以查看团队逾期。"))
    context = context or SlaContext.load()
    actions = overdue_next_actions(now).filter(
        visibility_q(user, owner="lead__owner", captured_by="lead__captured_by")
    )
    leads = first_response_candidates(now, context).filter(
        visibility_q(user, owner="owner", captured_by="captured_by")
    )
    return {"next_actions": list(actions), "sla_breaches": sla_breaches(now, context, leads)}


def script_for(lead: Lead) -> ScriptTemplate | None:
    """The best active script for the lead: industry and stage both matching beats
    industry only, which beats stage only, which beats a generic one."""
    candidates = ScriptTemplate.objects.filter(
        Q(industry__isnull=True) | Q(industry_id=lead.industry_id),
        Q(stage__isnull=True) | Q(stage_id=lead.stage_id),
        is_active=True,
    )

    def rank(template: ScriptTemplate) -> tuple[int, int]:
        score = 2 * (template.industry_id is not None) + (template.stage_id is not None)
        return score, -template.pk

    return max(candidates, key=rank, default=None)


def calendar_feed_owner(secret: str) -> User:
    """The active user whose feed has this secret, or Http404."""
    feed = (
        CalendarFeed.objects.filter(token=secret, user__is_active=True)
        .select_related("user")
        .first()
        if secret
        else None
    )
    if feed is None:
        raise Http404
    return feed.user


# the merged lead timeline ------------------------------------------------------------------

#: Audit events that a richer row already stands for (the ledger row, the follow-up row).
_COVERED_VERBS = {"lead.stage_changed", "lead.follow_up"}
_VERB_LABELS = {
    "lead.next_action_done": _("完成下一步行动"),
    "lead.next_action_failed": _("下一步行动失败"),
    "lead.opportunity_updated": _("修改商机信息"),
}
#: Same-moment entries: a follow-up after the stage change after the field change.
_KIND_ORDER = {"event": 0, "stage": 1, "follow_up": 2}


def _entry(*, at, actor, kind: str, label, pk: int, **extra) -> dict:
    entry = {
        "at": at,
        "actor": str(actor) if actor is not None else None,
        "kind": kind,
        "verb": "",
        "label": str(label),
        "reason": "",
        "changes": [],
        "text": "",
        "details": [],
        "id": pk,
    }
    entry.update(extra)
    return entry


def _event_entries(lead: Lead, viewer: User) -> list[dict]:
    from loudou.assignment.events import VERB_LABELS as ASSIGNMENT_VERB_LABELS
    from loudou.leads.selectors import lead_timeline as audit_timeline

    labels = {**_VERB_LABELS, **ASSIGNMENT_VERB_LABELS}
    entries = []
    for item in audit_timeline(lead, viewer):
        event = item["event"]
        if event.verb in _COVERED_VERBS:
            continue
        label = labels.get(event.verb, item["label"])
        changes = [{k: str(v) for k, v in c.items()} for c in item["changes"]]
        entries.append(
            _entry(
                at=event.created_at,
                actor=event.actor,
                kind="event",
                label=label,
                pk=event.pk,
                verb=event.verb,
                reason=event.reason,
                changes=changes,
            )
        )
    return entries


def _stage_entries(lead: Lead) -> list[dict]:
    from loudou.pipeline.models import StageChange, WinFactor

    rows = list(
        StageChange.objects.filter(lead=lead).select_related(
            "from_stage", "to_stage", "actor", "lost_reason"
        )
    )
    factor_ids = {pk for row in rows for pk in row.win_factors or []}
    factors = {f.pk: str(f) for f in WinFactor.objects.filter(pk__in=factor_ids)}
    entries = []
    for row in rows:
        label = _("阶段变更: {before} → {after}").format(
            before=str(row.from_stage) if row.from_stage else "—", after=str(row.to_stage)
        )
        details = [{"label": str(_("途径")), "value": str(row.get_via_display())}]
        if row.lost_reason:
            details.append({"label": str(_("放弃原因")), "value": str(row.lost_reason)})
        if row.win_factors:
            names = "、".join(factors.get(pk, str(pk)) for pk in row.win_factors)
            details.append({"label": str(_("赢单因素")), "value": names})
        entries.append(
            _entry(
                at=row.at,
                actor=row.actor,
                kind="stage",
                label=label,
                pk=row.pk,
                verb="stage.changed",
                reason=row.reason,
                details=details,
            )
        )
    return entries


def _follow_up_details(follow_up: FollowUp) -> list[dict]:
    details = []
    feedback = " ".join(
        str(x) for x in (follow_up.feedback_category or "", follow_up.feedback_text) if x
    )
    if feedback:
        details.append({"label": str(_("客户反馈/异议")), "value": feedback})
    if follow_up.objection_handling:
        details.append({"label": str(_("异议处理")), "value": follow_up.objection_handling})
    if follow_up.next_action:
        due = follow_up.next_action_due
        when = timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—"
        value = _("{action}（{owner}，{due}，{result}）").format(
            action=follow_up.next_action,
            owner=follow_up.next_action_owner or "—",
            due=when,
            result=follow_up.get_result_display(),
        )
        details.append({"label": str(_("下一步行动")), "value": value})
    return details


def _follow_up_entries(lead: Lead) -> list[dict]:
    return [
        _entry(
            at=fu.occurred_at,
            actor=fu.author,
            kind="follow_up",
            label=_("跟进记录（{channel}）").format(channel=fu.get_channel_display()),
            pk=fu.pk,
            verb="follow_up",
            text=fu.summary,
            details=_follow_up_details(fu),
        )
        for fu in lead_follow_ups(lead)
    ]


def lead_timeline(lead: Lead, viewer: User) -> list[dict]:
    """Field changes (masked for `viewer` as the lead timeline masks them), stage changes
    and follow-ups of a lead the caller has accessed, newest first, in one shape:
    {at, actor, kind (event|stage|follow_up), verb, label, reason, changes, text, details, id}.
    """
    entries = [*_event_entries(lead, viewer), *_stage_entries(lead), *_follow_up_entries(lead)]
    entries.sort(key=lambda e: (e["at"], _KIND_ORDER[e["kind"]], e["id"]), reverse=True)
    return entries
