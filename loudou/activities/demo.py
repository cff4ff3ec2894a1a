"""Demo follow-ups: backdated records, closed and open next actions, some overdue.

Called by the demo command with its seeded `random.Random`, so the same seed gives the same
history. Everything goes through `log_follow_up`, so status, last contact and audit apply.
Idempotent: leads that already have a follow-up are skipped.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from loudou.activities.choices import Channel, Result
from loudou.activities.models import FollowUp, ObjectionType
from loudou.activities.services import log_follow_up
from loudou.leads.choices import LeadStatus
from loudou.leads.models import Lead

#: The share of owned leads that have been followed up at all.
FOLLOWED_SHARE = 0.7
CHANNELS = [
    (Channel.PHONE, 45),
    (Channel.WECHAT, 25),
    (Channel.EMAIL, 10),
    (Channel.VISIT, 10),
    (Channel.MEETING, 5),
    (Channel.OTHER, 5),
]
SUMMARIES = {
    Channel.PHONE: [
        "电话沟通需求，对方有初步兴趣",
        "电话确认联系人和决策流程",
        "电话未接通，稍后再打",
    ],
    Channel.WECHAT: ["微信发送了产品介绍，对方已读", "微信沟通了使用场景", "微信约下周见面"],
    Channel.EMAIL: ["邮件发送产品资料和案例", "邮件发送报价单"],
    Channel.VISIT: ["上门拜访，见了IT负责人", "现场了解车间流程和痛点"],
    Channel.MEETING: ["线上会议演示核心功能", "参加我方研讨会，会后交流"],
    Channel.OTHER: ["展会上再次交流"],
}
HANDLING = [
    "介绍了分期付款方案",
    "提供了同行业成功案例",
    "约定由技术顾问答疑",
    "说明了实施周期和保障",
]
NEXT_ACTIONS = [
    "发送产品资料",
    "安排产品演示",
    "发送报价单",
    "约见技术负责人",
    "回访确认需求",
    "邀请参加线上研讨会",
    "提交方案书",
    "跟进预算审批进度",
]


def _pick_channel(rng: random.Random) -> str:
    channels, weights = zip(*CHANNELS, strict=True)
    return rng.choices(channels, weights=weights)[0]


def _times(lead: Lead, rng: random.Random, now: datetime) -> list[datetime]:
    """One to four contact times after capture, the first within about a day."""
    at = lead.captured_at + timedelta(hours=rng.uniform(0.5, 30))
    times, count = [], rng.randint(1, 4)
    while at < now and len(times) < count:
        times.append(at)
        at += timedelta(days=rng.uniform(2, 14))
    return times


def _feedback(rng: random.Random, objections: list[ObjectionType]) -> dict:
    if not objections or rng.random() > 0.4:
        return {}
    return {"feedback_category": rng.choice(objections), "objection_handling": rng.choice(HANDLING)}


def _next_action(rng: random.Random, at: datetime, now: datetime, last: bool) -> dict:
    """Earlier contacts left actions that were done; the last one's is open (upcoming or
    overdue), done, or absent."""
    roll = rng.random()
    if last and roll < 0.2:
        return {}
    action = {"next_action": rng.choice(NEXT_ACTIONS)}
    if not last or roll < 0.4:
        due = min(at + timedelta(days=rng.randint(1, 7)), now)
        return {**action, "next_action_due": due, "result": Result.DONE}
    if roll < 0.7:
        return {**action, "next_action_due": _office_hour(now, rng.randint(0, 7), rng)}
    overdue = _office_hour(now, -rng.randint(1, 5), rng)
    return {**action, "next_action_due": max(overdue, at + timedelta(hours=1))}


def _office_hour(now: datetime, days: int, rng: random.Random) -> datetime:
    """A whole hour between 09:00 and 17:00 local time, `days` from today."""
    day = timezone.localtime(now) + timedelta(days=days)
    return day.replace(hour=rng.randint(9, 17), minute=0, second=0, microsecond=0)


def _follow(lead: Lead, rng: random.Random, now: datetime, objections: list) -> int:
    times = _times(lead, rng, now)
    open_ended = lead.status != LeadStatus.LOST  # a lost lead's actions were all closed
    for n, at in enumerate(times):
        channel = _pick_channel(rng)
        values = {
            "occurred_at": at,
            "channel": channel,
            "summary": rng.choice(SUMMARIES[channel]),
            **_feedback(rng, objections),
            **_next_action(rng, at, now, last=n == len(times) - 1 and open_ended),
        }
        log_follow_up(lead=lead, actor=lead.owner, values=values)
    return len(times)


def _is_followed(lead: Lead) -> bool:
    """Whether the lead belongs to the followed share: fixed per lead, so that a second run
    leaves the never-followed ones alone whatever the generator's state."""
    return random.Random(lead.number).random() < FOLLOWED_SHARE  # noqa: S311 (demo data)


@transaction.atomic
def simulate_follow_ups(*, leads: list, rng: random.Random, now: datetime) -> int:
    """Backdated follow-ups for about 70% of the owned, valid leads among `leads` that
    have none yet. Returns the number of follow-ups created."""
    followed = set(
        FollowUp.objects.filter(lead__in=[lead.pk for lead in leads]).values_list(
            "lead_id", flat=True
        )
    )
    objections = list(ObjectionType.objects.filter(is_active=True))
    created = 0
    for lead in leads:
        if lead.owner_id is None or not lead.is_valid or lead.pk in followed:
            continue
        if _is_followed(lead):
            created += _follow(lead, rng, now, objections)
    return created
