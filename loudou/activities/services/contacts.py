"""Per-lead figures derived from the follow-ups, kept on the lead (ADR 0009):

- `first_contact_at`: the earliest follow-up (first-response timeliness);
- `last_contact_at` (最近联系时间): the latest one, which the analytics also use as a
  bound: no follow-up of the lead is dated after it;
- `stage_follow_ups`: the follow-ups dated at or after the lead entered its current
  stage (0 outside the funnel): "3 follow-ups and no stage progress".

They are kept where their inputs change, inside the same transaction: `log_follow_up`
(`touch`), `move_stage` (`since_expression`, in the UPDATE that moves the lead) and
`merge_leads` (`recount`, the follow-ups having moved); the status follows the last
contact (`follow_status`). `recount` recomputes them from the follow-ups at any time
(`loudou analytics rebuild`, migrations, bulk loads)."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from loudou.activities.models import FollowUp
from loudou.leads.models import Lead

BATCH = 5000


def since_expression(entered_at, follow_ups=FollowUp) -> Coalesce:
    """SQL for the lead's follow-ups dated at or after `entered_at` (a datetime or an
    expression), counted over its (lead, occurred_at) index range. `follow_ups`: the
    model (a migration passes its historical one)."""
    counted = (
        follow_ups.objects.filter(lead=OuterRef("pk"), occurred_at__gte=entered_at)
        .order_by()
        .values("lead")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


def recounted(follow_ups=FollowUp) -> dict:
    """The UPDATE values that recompute the figures of each updated lead."""
    first = follow_ups.objects.filter(lead=OuterRef("pk")).order_by("occurred_at")
    return {
        "first_contact_at": Subquery(first.values("occurred_at")[:1]),
        "last_contact_at": Subquery(first.reverse().values("occurred_at")[:1]),
        "stage_follow_ups": since_expression(OuterRef("stage_entered_at"), follow_ups),
    }


def touch(lead_id: int, occurred_at: datetime) -> None:
    """A follow-up dated `occurred_at` was added to the lead: conditional UPDATEs, so a
    concurrent move (which recounts in its own UPDATE) and this one both stick."""
    earlier = Q(first_contact_at__isnull=True) | Q(first_contact_at__gt=occurred_at)
    Lead.objects.filter(earlier, pk=lead_id).update(first_contact_at=occurred_at)
    later = Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=occurred_at)
    Lead.objects.filter(later, pk=lead_id).update(last_contact_at=occurred_at)
    Lead.objects.filter(pk=lead_id, stage_entered_at__lte=occurred_at).update(
        stage_follow_ups=F("stage_follow_ups") + 1
    )


def follow_status(lead: Lead) -> None:
    """Let the lead's status follow its (kept) last contact and stage, by a conditional
    UPDATE on the stage it was read with, so a concurrent move wins."""
    lead.refresh_from_db(fields=["status", "last_contact_at", "stage"])
    status = lead.derive_status()
    if (
        Lead.objects.filter(pk=lead.pk, stage_id=lead.stage_id)
        .exclude(status=status)
        .update(status=status)
    ):
        lead.status = status


def recount(lead_ids: Iterable[int] | None = None) -> int:
    """Recompute the figures of `lead_ids` (None: every lead) from the follow-ups.
    Returns the number of leads updated."""
    values = recounted()
    if lead_ids is None:
        return Lead.objects.update(**values)
    ids = sorted(set(lead_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        done += Lead.objects.filter(pk__in=ids[start : start + BATCH]).update(**values)
    return done
