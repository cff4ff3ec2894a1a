"""A hand-built month of four leads whose every figure is computed by hand in the tests.

March 2026 (Asia/Shanghai). L1, L2 owned by `rep`, L3 by `teammate` (team A), L4 by
`other_team_rep` (team B). Ledger (all at 09:00 unless said):
- L1 captured 03-01 (trade show, grade A): graded 03-02, contacted 03-04, signed 03-11
  (win factor 产品契合需求); amount 100.
- L2 captured 03-05 (trade show): graded 03-06, abandoned 03-08 (预算不足).
- L3 captured 03-10 (website): graded 03-10 21:00, still there.
- L4 captured 03-03 (no source): graded 03-05, contacted 03-06, lead customer 03-08,
  opportunity 03-09, signed 03-21 (价格优势); amount 300.
Follow-ups: L1 03-01 10:00, 03-03, 03-05; L2 03-07; L3 03-12, 03-13, 03-14;
L4 03-03 12:00. NOW = 03-31 21:00.
"""

from datetime import datetime

import time_machine
from django.utils import timezone

from loudou.activities.tests.factories import HIGH_INTENT, log
from loudou.leads.models import Lead, SourceChannel
from loudou.leads.services.grading import assess_needs
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.models import LostReason, Pipeline, WinFactor
from loudou.pipeline.services import move_stage


def at(month, day, hour=9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.get_default_timezone())


NOW = at(3, 31, 21)


def _lead(n: int, owner, captured: datetime, **values) -> Lead:
    with time_machine.travel(captured, tick=False):
        return make_lead(
            actor=owner,
            owner=owner,
            company_name=f"测试{n}号科技有限公司",
            phone=f"139123{n:05d}",
            **values,
        )


def _move(lead: Lead, code: str, when: datetime, **extra) -> None:
    lead.refresh_from_db()
    stage = Pipeline.objects.get(is_default=True).stages.get(code=code)
    move_stage(lead=lead, to_stage=stage, actor=lead.owner, via="form", at=when, **extra)


def _follow(lead: Lead, *moments: datetime) -> None:
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            log(lead=lead, actor=lead.owner, occurred_at=moment)


def build(rep, teammate, other_team_rep) -> dict[str, Lead]:
    show = SourceChannel.objects.get(code="trade_show")
    web = SourceChannel.objects.get(code="website")
    fit = WinFactor.objects.get(name="产品契合需求")
    price = WinFactor.objects.get(name="价格优势")
    budget = LostReason.objects.get(name="预算不足")
    need = {"need_description": "上线 MES", "pain_point": "排产靠手工"}
    l1 = _lead(1, rep, at(3, 1), source=show, **HIGH_INTENT, **need)
    l2 = _lead(2, rep, at(3, 5), source=show)
    l3 = _lead(3, teammate, at(3, 10), source=web)
    l4 = _lead(4, other_team_rep, at(3, 3))
    assess_needs(lead=l1, actor=rep, needs=[{"need": "排产", "score": 4}])
    _move(l1, "graded", at(3, 2))
    _move(l1, "contacted", at(3, 4))
    _move(l1, "signed", at(3, 11), win_factors=[fit])
    _move(l2, "graded", at(3, 6))
    _move(l2, "abandoned", at(3, 8), lost_reason=budget)
    _move(l3, "graded", at(3, 10, 21))
    for code, day in [("graded", 5), ("contacted", 6), ("lead_customer", 8), ("opportunity", 9)]:
        _move(l4, code, at(3, day))
    _move(l4, "signed", at(3, 21), win_factors=[price])
    for lead, amount in ((l1, 100), (l4, 300)):  # a save, which keeps the aggregates
        lead.refresh_from_db()
        lead.amount = amount
        lead.save(update_fields=["amount"])
    _follow(l1, at(3, 1, 10), at(3, 3), at(3, 5))
    _follow(l2, at(3, 7))
    _follow(l3, at(3, 12), at(3, 13), at(3, 14))
    _follow(l4, at(3, 3, 12))
    return {"l1": l1, "l2": l2, "l3": l3, "l4": l4}
