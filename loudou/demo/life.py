"""The life of one demo lead after its registration: how far it climbs the funnel and
when, whether it is won, abandoned or left to stall, and the follow-ups along the way.

The climb follows bench/simulate.py: each stage is left for the next one with a chance
that depends on the stage, the lead's intent grade and its source, after a log-normal
stay; moves that would fall after `now` have not happened yet. Of the leads that stop
climbing, most are abandoned (放弃) with a lost reason that fits how far they got; the
rest stall, and their rep either keeps in touch or lets them go quiet (the 公海 then
takes them back). About 11% of valid leads sign within the year (13% of those old enough
to have finished), with an amount from the opportunity stage on, and win factors.

Everything goes through the services: `move_stage` (backdated, via="system"),
`update_opportunity` and `log_follow_up`. Each lead draws from its own generator, seeded
with the demo seed and its reference, so its story does not depend on which run
registers it or on its neighbours.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from loudou.activities.choices import Channel, Result
from loudou.activities.models import ObjectionType
from loudou.activities.services import log_follow_up
from loudou.demo.names import HANDLING, NEXT_ACTIONS, SUMMARIES
from loudou.leads.models import Lead
from loudou.org.models import ProductLine
from loudou.pipeline.choices import MoveVia, StageKind
from loudou.pipeline.models import LostReason, Stage, WinFactor
from loudou.pipeline.services import move_stage, update_opportunity

#: Chance to leave the k-th stage of the path for the next one
#: (resource → graded → contacted → lead customer → opportunity → signed → implemented).
STEP_P = (0.95, 0.85, 0.55, 0.50, 0.45, 0.80)
#: How much grade and source weigh on each step (not on grading, nor on implementing).
STEP_WEIGHT = (0.0, 0.5, 1.0, 1.0, 1.0, 0.0)
#: Median days in the k-th stage before the next move.
STAY_MEDIAN_DAYS = (1.0, 3.0, 7.0, 10.0, 18.0, 30.0)
GRADE_FACTOR = {"A": 1.4, "B": 1.1, "C": 0.8}
SOURCE_FACTOR = {
    "customer_referral": 1.5,
    "partner": 1.3,
    "trade_show": 1.1,
    "website": 1.0,
    "other": 0.9,
    "social": 0.8,
    "cold_visit": 0.7,
}
#: Of the leads that stop climbing, the share abandoned with a reason (the rest stall).
LOST_SHARE = 0.7
LOSS_MEDIAN_DAYS = 12.0
#: Of the stalled leads, the share whose rep keeps in touch (the rest go quiet).
NURTURED_SHARE = 0.6
MAX_CONTACTS = 8
#: Marketing hands its leads to the 公海 after screening them for this long.
SCREENING = timedelta(days=3)

#: Lost reasons (by name, weight) early in the funnel and from the lead-customer stage on.
EARLY_LOSSES = [
    ("无法联系", 30),
    ("明确拒绝", 25),
    ("需求不匹配", 25),
    ("预算不足", 10),
    ("其他", 10),
]
LATE_LOSSES = [
    ("选择了竞争对手", 30),
    ("价格过高", 22),
    ("项目取消或延期", 20),
    ("预算不足", 15),
    ("明确拒绝", 8),
    ("其他", 5),
]
LOSS_NOTES = {
    "无法联系": "电话多次未接通，微信未回复",
    "明确拒绝": "客户明确表示暂不考虑",
    "需求不匹配": "沟通后发现需求与我方产品不匹配",
    "预算不足": "客户今年没有这方面的预算",
    "选择了竞争对手": "客户已选用其他供应商",
    "项目取消或延期": "客户项目取消，或推迟到明年",
    "价格过高": "客户认为报价高出预期",
    "其他": "客户方负责人变动，项目搁置",
}
WIN_FACTORS = [
    ("产品契合需求", 30),
    ("客户关系", 15),
    ("响应速度快", 15),
    ("成功案例/口碑", 12),
    ("服务与实施能力", 12),
    ("价格优势", 10),
    ("原型演示", 8),
]
WON_SUMMARIES = ["合同签字盖章，确认首付款时间", "签约会议，确认实施计划和验收标准"]
#: Channels early in the funnel, from the lead-customer stage on, and once won.
EARLY_CHANNELS = [(Channel.PHONE, 55), (Channel.WECHAT, 30), (Channel.EMAIL, 15)]
LATE_CHANNELS = [
    (Channel.PHONE, 25),
    (Channel.WECHAT, 25),
    (Channel.VISIT, 25),
    (Channel.MEETING, 20),
    (Channel.EMAIL, 5),
]
WON_CHANNELS = [(Channel.VISIT, 40), (Channel.MEETING, 40), (Channel.PHONE, 20)]
LATE_FROM = 3  # path index of the lead-customer stage


def _weighted(rng: random.Random, pairs: list) -> object:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _days(rng: random.Random, median: float) -> timedelta:
    """A log-normal stay around `median` days, at least an hour."""
    days = median * math.exp(0.7 * rng.gauss(0, 1))
    return max(timedelta(days=days), timedelta(hours=1))


class End:
    """How a lead's story ends (for now)."""

    WON = "won"
    LOST = "lost"
    CLIMBING = "climbing"  # its next move lies in the future
    NURTURED = "nurtured"  # stalled, the rep keeps in touch
    NEGLECTED = "neglected"  # stalled and gone quiet


@dataclass
class Story:
    """The moves of a lead (path index, when) and how its story ends."""

    moves: list[tuple[int, datetime]] = field(default_factory=list)
    end: str = End.CLIMBING
    lost_at: datetime | None = None


def plan_story(
    rng: random.Random, *, start: datetime, factor: float, won_from: int, steps: int, now
) -> Story:
    """Draw the climb of a lead that entered the path at `start`."""
    story, at = Story(), start
    for k in range(steps):
        p = STEP_P[k] if k < len(STEP_P) else 0.5
        weight = STEP_WEIGHT[k] if k < len(STEP_WEIGHT) else 0.0
        climbs = rng.random() < min(p * factor**weight, 0.97)
        at = at + _days(rng, STAY_MEDIAN_DAYS[min(k, len(STAY_MEDIAN_DAYS) - 1)])
        if not climbs or at > now:
            story.end = End.CLIMBING if climbs else End.LOST
            break
        story.moves.append((k + 1, at))
    reached = story.moves[-1][0] if story.moves else 0
    if reached >= won_from or len(story.moves) == steps:
        story.end = End.WON
    elif story.end == End.LOST:
        _stop(rng, story, start, now)
    return story


def _stop(rng: random.Random, story: Story, start: datetime, now: datetime) -> None:
    """A lead that stopped climbing: abandoned a while later, or stalled."""
    last = story.moves[-1][1] if story.moves else start
    if rng.random() < LOST_SHARE:
        lost_at = last + _days(rng, LOSS_MEDIAN_DAYS)
        story.end, story.lost_at = (End.LOST, lost_at) if lost_at <= now else (End.CLIMBING, None)
    else:
        story.end = End.NURTURED if rng.random() < NURTURED_SHARE else End.NEGLECTED


def contact_times(rng: random.Random, story: Story, start: datetime, now: datetime) -> list:
    """When the rep talks to the customer: first response within hours, a contact before
    each move past grading (desk work) and before the loss, one every two weeks or so in
    long stays, and afterwards as the story's end has it (often while climbing, now and
    then when nurtured, once when the lead goes quiet)."""
    times = [start + min(_days(rng, 0.12), timedelta(days=2))]
    marks = [start] + [at for _k, at in story.moves] + ([story.lost_at] if story.lost_at else [])
    for n, (before, after) in enumerate(zip(marks, marks[1:], strict=False)):
        times += _every(rng, before + timedelta(days=10), after - timedelta(days=2), (10, 20))
        if n or story.lost_at == after:
            times.append(max(after - timedelta(hours=rng.uniform(0.5, 20)), before))
    last = marks[-1]
    if story.end == End.CLIMBING:
        times += _every(rng, last + timedelta(days=rng.uniform(1, 6)), now, (7, 14))
    elif story.end == End.NURTURED:
        times += _every(rng, last + timedelta(days=rng.uniform(3, 15)), now, (15, 28))
    elif story.end == End.NEGLECTED:
        times.append(last + timedelta(days=rng.uniform(2, 10)))
    times = sorted(t for t in times if t <= now)
    return times if len(times) <= MAX_CONTACTS else times[:1] + times[1 - MAX_CONTACTS :]


def _every(rng: random.Random, since: datetime, until: datetime, gap: tuple) -> list:
    times, at = [], since
    while at < until:
        times.append(at)
        at += timedelta(days=rng.uniform(*gap))
    return times


@dataclass
class Funnel:
    """A pipeline's path (open and won stages in order) and the reference lists the
    stories draw from, read once per run."""

    path: list[Stage]
    lost: Stage | None
    won_from: int
    reasons: dict[str, LostReason]
    factors: dict[str, int]
    objections: list[ObjectionType]
    products: list[ProductLine]

    @classmethod
    def of(cls, stages: list[Stage]) -> "Funnel":
        ordered = sorted(stages, key=lambda s: s.order)
        path = [s for s in ordered if s.kind != StageKind.LOST]
        won = [i for i, s in enumerate(path) if s.kind == StageKind.WON]
        return cls(
            path=path,
            lost=next((s for s in ordered if s.kind == StageKind.LOST), None),
            won_from=won[0] if won else len(path),
            reasons={r.name: r for r in LostReason.objects.filter(is_active=True)},
            factors=dict(WinFactor.objects.filter(is_active=True).values_list("name", "pk")),
            objections=list(ObjectionType.objects.filter(is_active=True)),
            products=list(ProductLine.objects.filter(is_active=True)),
        )


@dataclass
class Tally:
    """What the demo's lives wrote."""

    moves: int = 0
    follow_ups: int = 0


def live(*, lead: Lead, rng: random.Random, funnel: Funnel, now: datetime, tally: Tally) -> None:
    """Play the story of a freshly registered lead (unowned or invalid ones have none)."""
    if lead.owner_id is None or lead.stage not in funnel.path or funnel.path.index(lead.stage):
        return
    factor = GRADE_FACTOR.get(lead.intent_grade, 1.0) * SOURCE_FACTOR.get(lead.source.code, 1.0)
    start = lead.stage_entered_at
    story = plan_story(
        rng,
        start=start,
        factor=factor,
        won_from=funnel.won_from,
        steps=len(funnel.path) - 1,
        now=now,
    )
    if story.end == End.LOST and funnel.lost is None:
        story.end, story.lost_at = End.NEGLECTED, None
    contacts = contact_times(rng, story, start, now)
    events = [(at, 1, k) for k, at in story.moves] + [(at, 0, None) for at in contacts]
    events += [(story.lost_at, 1, -1)] if story.lost_at else []
    events.sort(key=lambda event: (event[0], event[1]))
    touches = [at for at, is_move, _k in events if not is_move]
    for at, is_move, k in events:
        if is_move:
            _move(lead, rng, funnel, k, at)
            tally.moves += 1
        else:
            nxt = next((t for t in touches if t > at), None)
            _contact(lead, rng, funnel, story, at, nxt, now)
            tally.follow_ups += 1


def _move(lead: Lead, rng: random.Random, funnel: Funnel, k: int, at: datetime) -> None:
    """Move to path index `k` (-1: abandon), with what goes with the move."""
    move = {"lead": lead, "actor": lead.owner, "via": MoveVia.SYSTEM, "at": at}
    if k == -1:
        here = funnel.path.index(lead.stage)
        name = _weighted(rng, LATE_LOSSES if here >= LATE_FROM else EARLY_LOSSES)
        reason = funnel.reasons.get(name) or rng.choice(list(funnel.reasons.values()))
        move_stage(
            to_stage=funnel.lost, lost_reason=reason, reason=LOSS_NOTES.get(name, ""), **move
        )
        return
    stage = funnel.path[k]
    if k == funnel.won_from:
        move["win_factors"] = _win_factors(rng, funnel)
    move_stage(to_stage=stage, **move)
    if stage.is_opportunity and lead.amount is None:
        _open_opportunity(lead, rng, funnel, at)


def _win_factors(rng: random.Random, funnel: Funnel) -> list[int]:
    known = [(funnel.factors[name], w) for name, w in WIN_FACTORS if name in funnel.factors]
    picked: list[int] = []
    for _i in range(rng.choice([1, 2, 2, 3])):
        factor = _weighted(rng, known) if known else None
        if factor is not None and factor not in picked:
            picked.append(factor)
    return picked


def _amount(lead: Lead, rng: random.Random) -> Decimal:
    """The deal size in yuan: within the budget range (万元), else by company size."""
    if lead.budget_min or lead.budget_max:
        low = float(lead.budget_min or lead.budget_max)
        high = float(lead.budget_max or low * 1.5)
    else:
        employees = lead.employees or 50
        low, high = (5, 20) if employees < 200 else (10, 60) if employees < 1000 else (30, 150)
    wan = round(rng.uniform(low, max(low, high)) * 2) / 2
    return Decimal(str(wan)) * 10_000


def _open_opportunity(lead: Lead, rng: random.Random, funnel: Funnel, at: datetime) -> None:
    products = rng.sample(funnel.products, k=min(len(funnel.products), rng.choice([1, 1, 2])))
    values = {
        "amount": _amount(lead, rng),
        "expected_close_date": timezone.localtime(at).date() + timedelta(rng.randint(15, 75)),
        "products": products,
    }
    update_opportunity(lead=lead, actor=lead.owner, values=values)


def _contact(lead, rng, funnel: Funnel, story: Story, at, nxt, now) -> None:
    """Log one follow-up at `at`; `nxt` is the following contact (None for the last)."""
    here = funnel.path.index(lead.stage) if lead.stage in funnel.path else None
    won = here is not None and here >= funnel.won_from
    channels = WON_CHANNELS if won else LATE_CHANNELS if (here or 0) >= LATE_FROM else None
    channel = _weighted(rng, channels or EARLY_CHANNELS)
    summary = rng.choice(WON_SUMMARIES) if won else rng.choice(SUMMARIES[channel])
    values = {"occurred_at": at, "channel": channel, "summary": summary}
    if funnel.objections and not won and (here or 0) >= 2 and rng.random() < 0.3:
        values["feedback_category"] = rng.choice(funnel.objections)
        values["objection_handling"] = rng.choice(HANDLING)
    values |= _next_action(rng, story, at, nxt, now)
    log_follow_up(lead=lead, actor=lead.owner, values=values)


def _next_action(rng: random.Random, story: Story, at, nxt, now) -> dict:
    """Done up to the next contact; the last contact of a lead still being worked leaves
    an open one (mostly upcoming, some overdue); won, lost and quiet leads leave none."""
    if nxt is not None:
        due = min(nxt, at + timedelta(days=7))
        return {
            "next_action": rng.choice(NEXT_ACTIONS),
            "next_action_due": due,
            "result": Result.DONE,
        }
    if story.end not in (End.CLIMBING, End.NURTURED):
        return {}
    days = rng.randint(0, 7) if rng.random() < 0.75 else -rng.randint(1, 5)
    local = timezone.localtime(now) + timedelta(days=days)
    due = local.replace(hour=rng.randint(9, 17), minute=0, second=0, microsecond=0)
    return {
        "next_action": rng.choice(NEXT_ACTIONS),
        "next_action_due": max(due, at + timedelta(hours=1)),
    }


def hand_to_pool(*, lead: Lead, rng: random.Random, pool, now: datetime) -> bool:
    """Marketing's valid leads go to the 公海 once screened (the last days' stay with it)."""
    from loudou.assignment.services import add_to_pool

    if lead.owner_id is not None or not lead.is_valid or lead.captured_at > now - SCREENING:
        return False
    at = lead.captured_at + timedelta(hours=rng.uniform(2, 48))
    add_to_pool(lead=lead, pool=pool, actor=lead.captured_by, now=at)
    return True
