"""A won/lost history built through the real services (registration, stage moves)."""

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from loudou.leads.models import Lead, SourceChannel
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.models import LostReason, Pipeline
from loudou.pipeline.services import move_stage

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.get_default_timezone())
CLOSED = T0 + timedelta(days=10)
#: customer referrals are always won; website leads one time in three
PLAN = {"customer_referral": (20, 0), "website": (20, 40)}


def lead_from(source_code: str, owner, n: int, **values) -> Lead:
    """An open lead of `owner` from a source, registered at T0."""
    with time_machine.travel(T0, tick=False):
        return make_lead(
            actor=owner,
            owner=owner,
            company_name=f"{source_code}{n}号公司",
            phone=f"1390000{n:04d}",
            source=SourceChannel.objects.get(code=source_code),
            **values,
        )


def close(lead: Lead, *, won: bool) -> Lead:
    stages = Pipeline.objects.get(is_default=True).stages
    lead.refresh_from_db()
    to, reason = (
        (stages.get(code="signed"), None)
        if won
        else (stages.get(code="abandoned"), LostReason.objects.get(name="预算不足"))
    )
    move_stage(
        lead=lead, to_stage=to, actor=lead.owner, via="system", lost_reason=reason, at=CLOSED
    )
    return lead


def history(owner, plan: dict[str, tuple[int, int]]) -> int:
    """Closed leads of `owner`: {source code: (won, lost)}. Returns the next free n."""
    n = 0
    for source, (won, lost) in plan.items():
        for outcome in [True] * won + [False] * lost:
            close(lead_from(source, owner, n), won=outcome)
            n += 1
    return n
