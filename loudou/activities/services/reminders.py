"""The reminder scan: overdue next actions and first-response SLA breaches notify once.

Exactly-once rests on `notify`'s dedupe key (a unique column written with a conditional
insert): a second scan, or a second worker running the same scan, finds the key taken and
gets None back. The scan holds no transaction of its own, so a scan killed mid-batch has
sent what it sent, and the next one sends the rest.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.activities.models import FollowUp
from loudou.activities.sla import SlaContext, first_response_deadline
from loudou.leads.choices import LeadStatus
from loudou.leads.models import Lead


def _link(lead: Lead) -> str:
    """Site-relative: the notification transports make it absolute for email and robots."""
    return f"{lead.get_absolute_url()}#follow-ups"


def overdue_next_actions(now: datetime):
    """Open next actions whose due time has passed, with their leads and owners; those of
    lost leads (流失) no longer call for anyone."""
    return (
        FollowUp.objects.filter(next_action_done_at__isnull=True, next_action_due__lt=now)
        .exclude(next_action="")
        .exclude(lead__status=LeadStatus.LOST)
        .select_related("lead", "lead__owner", "next_action_owner")
        .order_by("next_action_due", "id")
    )


def first_response_candidates(now: datetime, context: SlaContext):
    """Open, owned leads never followed up whose deadline could already have passed (a
    deadline is never earlier than start + its hours in wall-clock time)."""
    shortest = min((hours for hours, _days in context.rules.values()), default=1)
    return (
        Lead.objects.filter(
            owner__isnull=False,
            is_valid=True,
            status=LeadStatus.PENDING,
            follow_ups__isnull=True,
            captured_at__lte=now - timedelta(hours=shortest),
        )
        .select_related("owner")
        .order_by("assigned_at", "id")
    )


def sla_breaches(now: datetime, context: SlaContext, leads=None) -> list[tuple[Lead, datetime]]:
    """(lead, deadline) for every open lead whose first response is overdue."""
    if leads is None:
        leads = first_response_candidates(now, context)
    breached = []
    for lead in leads:
        deadline = first_response_deadline(lead, context)
        if now > deadline:
            breached.append((lead, deadline))
    return breached


def _notify_overdue_action(follow_up: FollowUp, notify) -> bool:
    lead = follow_up.lead
    user = follow_up.next_action_owner or lead.owner
    if user is None:
        return False
    sent = notify(
        user=user,
        kind="next_action_overdue",
        title=_("下一步行动已逾期：{number} {company}").format(
            number=lead.number, company=lead.company_name
        ),
        body=follow_up.next_action,
        url=_link(lead),
        dedupe_key=f"next_action:{follow_up.pk}:overdue",
    )
    return sent is not None


def _notify_breach(lead: Lead, deadline: datetime, notify) -> bool:
    sent = notify(
        user=lead.owner,
        kind="sla_breached",
        title=_("首次响应超时：{number} {company}").format(
            number=lead.number, company=lead.company_name
        ),
        body=_("应在 {deadline} 前首次跟进。").format(
            deadline=timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        ),
        url=_link(lead),
        dedupe_key=f"sla:{lead.pk}:first_response",
    )
    return sent is not None


def process_due_reminders(now: datetime) -> int:
    """Notify every overdue next action and every first-response breach once; returns the
    number of notifications created by this run (repeats return 0)."""
    from loudou.notifications.services import notify

    created = sum(_notify_overdue_action(fu, notify) for fu in overdue_next_actions(now))
    context = SlaContext.load()
    breaches = sla_breaches(now, context)
    created += sum(_notify_breach(lead, deadline, notify) for lead, deadline in breaches)
    return created
