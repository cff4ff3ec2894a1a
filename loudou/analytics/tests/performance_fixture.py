"""A hand-built first quarter of 2026 (and some of 2025) whose performance figures are
computed by hand in the tests. NOW = 2026-03-15 12:00 (Asia/Shanghai): March is in
progress, 15 of its 31 days elapsed; Q1 74 of 90.

Team A: `rep`, `teammate` (manager `manager`); team B: `other_team_rep`.
Deals (first entry into 签约客户; the lead is captured the day before):
  D1 rep       2026-01-10  100 CNY  华东  标准版          转介绍
  D2 rep       2026-02-05  200 CNY  华东  标准版+企业版   (customer of D8: not new)
  D3 teammate  2026-02-20  300 CNY  华南  —
  D4 other     2026-03-03  400 CNY  华南  企业版
  D5 rep       2026-03-10   50 USD  华东  标准版          (an order, no CNY revenue)
  D6 rep       2025-03-05   80 CNY  华东
  D7 teammate  2025-03-20 1000 CNY  华南               (after day 15: not like-for-like)
  D8 rep       2025-02-10   60 CNY  华东
Other leads (captured; ledger):
  L1 rep       2026-01-05 (展会); abandoned 2026-02-10                → lost
  L2 teammate  2026-01-10; abandoned 2026-01-20, contacted 2026-02-01 → open again
  L3 other     2025-12-01; abandoned 2025-12-20                       → lost before
  L4 rep       2025-05-01; signed 2025-06-01 (70), abandoned 2026-03-05 → won before
  L5 teammate  2026-03-01; abandoned 2026-03-12                       → lost
  L6 rep       2026-01-06; opportunity 2026-03-02                     → a proposal
  L7 other     2026-01-07; open
Follow-ups: rep phone 02-02 and 02-03 (L6), teammate visit 02-20 (L2); rep visit 03-02,
rep phone 03-03 (L6), teammate phone 03-04 (L2), other visit 03-05 (L7).
Targets (company, monthly): revenue Jan 200, Feb 500, Mar 1000; orders Mar 4; team A
revenue Mar 100; 华南 revenue Mar 800.
"""

from datetime import date, datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from loudou.activities.tests.factories import log
from loudou.leads.models import Lead, SourceChannel
from loudou.leads.services import register_lead
from loudou.org.models import ProductLine, Region
from loudou.pipeline.models import LostReason
from loudou.pipeline.services import move_stage
from loudou.targets.tests.factories import make_target, stage, won_deal

TZ = timezone.get_default_timezone()


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


NOW = at(2026, 3, 15, 12)
Q1 = {"start": date(2026, 1, 1), "end": date(2026, 3, 31)}


def _lead(owner, n: int, captured: datetime, **values) -> Lead:
    values = {"company_name": f"业绩{n}号有限公司", "phone": f"1398800{n:04d}", **values}
    return register_lead(actor=owner, owner=owner, values=values, captured_at=captured)


def _move(lead: Lead, code: str, when: datetime) -> None:
    lead.refresh_from_db()
    lost = LostReason.objects.get(name="预算不足") if code == "abandoned" else None
    move_stage(
        lead=lead, to_stage=stage(code), actor=lead.owner, via="form", at=when, lost_reason=lost
    )


def _follow(lead: Lead, actor, when: datetime, channel: str) -> None:
    with time_machine.travel(when, tick=False):
        log(lead=lead, actor=actor, occurred_at=when, channel=channel)


def build(*, rep, teammate, other_team_rep, director, manager) -> dict:
    east, south = Region.objects.get(name="华东"), Region.objects.get(name="华南")
    std, ent = ProductLine.objects.get(name="标准版"), ProductLine.objects.get(name="企业版")
    show = SourceChannel.objects.get(code="trade_show")
    d8 = won_deal(owner=rep, when=at(2025, 2, 10), amount=60, region=east)
    deals = {
        "d1": won_deal(
            owner=rep,
            when=at(2026, 1, 10),
            amount=100,
            region=east,
            products=[std],
            customer_type="referral",
        ),
        "d2": won_deal(
            owner=rep,
            when=at(2026, 2, 5),
            amount=200,
            region=east,
            products=[std, ent],
            customer=d8.customer,
        ),
        "d3": won_deal(owner=teammate, when=at(2026, 2, 20), amount=300, region=south),
        "d4": won_deal(
            owner=other_team_rep, when=at(2026, 3, 3), amount=400, region=south, products=[ent]
        ),
        "d5": won_deal(
            owner=rep, when=at(2026, 3, 10), amount=50, currency="USD", region=east, products=[std]
        ),
        "d6": won_deal(owner=rep, when=at(2025, 3, 5), amount=80, region=east),
        "d7": won_deal(owner=teammate, when=at(2025, 3, 20), amount=1000, region=south),
        "d8": d8,
    }
    leads = {
        "l1": _lead(rep, 1, at(2026, 1, 5), source=show),
        "l2": _lead(teammate, 2, at(2026, 1, 10)),
        "l3": _lead(other_team_rep, 3, at(2025, 12, 1)),
        "l4": _lead(rep, 4, at(2025, 5, 1)),
        "l5": _lead(teammate, 5, at(2026, 3, 1)),
        "l6": _lead(rep, 6, at(2026, 1, 6)),
        "l7": _lead(other_team_rep, 7, at(2026, 1, 7)),
    }
    _move(leads["l1"], "abandoned", at(2026, 2, 10))
    _move(leads["l2"], "abandoned", at(2026, 1, 20))
    _move(leads["l2"], "contacted", at(2026, 2, 1))
    _move(leads["l3"], "abandoned", at(2025, 12, 20))
    Lead.objects.filter(pk=leads["l4"].pk).update(amount=70)
    _move(leads["l4"], "signed", at(2025, 6, 1))
    _move(leads["l4"], "abandoned", at(2026, 3, 5))
    _move(leads["l5"], "abandoned", at(2026, 3, 12))
    _move(leads["l6"], "opportunity", at(2026, 3, 2))
    _follow(leads["l6"], rep, at(2026, 2, 2), "phone")
    _follow(leads["l6"], rep, at(2026, 2, 3), "phone")
    _follow(leads["l2"], teammate, at(2026, 2, 20), "visit")
    _follow(leads["l6"], rep, at(2026, 3, 2, 15), "visit")
    _follow(leads["l6"], rep, at(2026, 3, 3), "phone")
    _follow(leads["l2"], teammate, at(2026, 3, 4), "phone")
    _follow(leads["l7"], other_team_rep, at(2026, 3, 5), "visit")
    targets = {
        "jan": _monthly(director, date(2026, 1, 1), "revenue", 200),
        "feb": _monthly(director, date(2026, 2, 1), "revenue", 500),
        "mar": _monthly(director, date(2026, 3, 1), "revenue", 1000),
        "mar_orders": _monthly(director, date(2026, 3, 1), "orders", 4),
        "team_mar": _monthly(
            director, date(2026, 3, 1), "revenue", 100, scope_kind="team", team=rep.team
        ),
        "south_mar": _monthly(
            director, date(2026, 3, 1), "revenue", 800, scope_kind="region", region=south
        ),
    }
    return {**deals, **leads, "targets": targets, "east": east, "south": south}


def _monthly(actor, start: date, metric: str, value, **scope):
    values = {"period": "monthly", "start": start, "metric": metric, "value": Decimal(value)}
    return make_target(actor=actor, **values, **scope)
