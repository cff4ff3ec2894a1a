"""Team work in the demo company: tasks, a review meeting, a training course and a
process-optimisation project, written through the services (so audited and permitted as
in real use). Loaded once: a second run finds the first task and adds nothing."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from loudou.org.models import Team, User
from loudou.teamwork import services
from loudou.teamwork.choices import Rollout
from loudou.teamwork.models import Task
from loudou.teamwork.services.projects import month_bounds

MARKER = "Q3新客户开发：线上推广获取线索"

#: (title, goal, owner, verifier, assigner, start offset, end offset, target, achieved,
#: unit, sub-items done/undone, state) — offsets in days from today; state: open, done,
#: verified.
TASKS = [
    (
        MARKER,
        "开发 20 家有效新客户线索",
        "rep1",
        "manager1",
        "manager1",
        -40,
        -5,
        20,
        25,
        "家",
        [("抖音广告投放", True), ("官网落地页优化", True), ("线索有效性核验", True)],
        "verified",
    ),
    (
        "展会对接获取线索",
        "展会获取 15 家有效线索",
        "rep2",
        "manager1",
        "manager1",
        -30,
        -3,
        15,
        15,
        "家",
        [("展位布置", True), ("现场登记", True)],
        "verified",
    ),
    (
        "老客户转介绍",
        "老客户转介绍 15 家",
        "rep3",
        "manager1",
        "manager1",
        -30,
        -1,
        15,
        12,
        "家",
        [("梳理老客户名单", True), ("发送转介绍奖励说明", False)],
        "done",
    ),
    (
        "华东区重点客户拜访",
        "拜访 8 家 A 级客户",
        "rep4",
        "manager1",
        "manager1",
        -14,
        -2,
        8,
        3,
        "家",
        [("预约拜访", True), ("准备方案", False)],
        "open",
    ),
    (
        "准备 10 台样品试用",
        "配合客户试用申请",
        "support1",
        "rep2",
        "rep2",
        -3,
        4,
        None,
        None,
        "",
        [("确认型号", True), ("发货", False)],
        "open",
    ),
    (
        "华南区报价单模板更新",
        "统一报价口径",
        "rep7",
        "manager2",
        "manager2",
        -7,
        0,
        None,
        None,
        "",
        [],
        "open",
    ),
]


def _day(now: datetime, offset: int) -> date:
    return timezone.localdate(now) + timedelta(days=offset)


def _tasks(users: dict[str, User], now: datetime) -> int:
    for row in TASKS:
        title, goal, owner, verifier, assigner, start, end, target, achieved, unit, items, state = (
            row
        )
        values = {
            "title": title,
            "goal": goal,
            "owner": users[owner],
            "verifier": users[verifier],
            "planned_start": _day(now, start),
            "planned_end": _day(now, end),
            "target_value": None if target is None else Decimal(target),
            "achieved_value": None if achieved is None else Decimal(achieved),
            "unit": unit,
        }
        task = services.create_task(
            actor=users[assigner], values=values, items=[text for text, _done in items]
        )
        for item, (_text, done) in zip(task.items.all(), items, strict=True):
            if done:
                services.set_task_item(item=item, actor=users[owner], done=True, now=now)
        if state in ("done", "verified"):
            services.complete_task(
                task=task, actor=users[owner], actual_end=_day(now, end), now=now
            )
        if state == "verified":
            services.verify_task(task=task, actor=users[verifier], note="按验收标准核验", now=now)
    services.create_task(
        actor=users["manager1"],
        values={
            "title": "样品生产排期",
            "goal": "试用样品 3 月 15 日前发出",
            "department": "生产部",
            "verifier": users["manager1"],
            "planned_end": _day(now, -2),
        },
    )
    return len(TASKS) + 1


def _meeting(users: dict[str, User], team: Team, now: datetime) -> int:
    held = datetime.combine(_day(now, -20), time(14, 0), tzinfo=timezone.get_default_timezone())
    meeting = services.create_meeting(
        actor=users["manager1"],
        values={
            "topic": "月度销售复盘会",
            "held_at": held,
            "team": team,
            "other_attendees": "市场部、产品部",
            "agenda": "1.业绩回顾；2.亮点分享；3.问题剖析；4.经验总结；5.行动计划",
            "discussion": "已分级阶段移动率偏低，首次跟进不及时是主因。",
            "lessons": "转介绍需明确奖励；价格谈判前先了解客户预算。",
            "decisions": "分配后 2 小时内首次跟进；每周一复核逾期线索。",
        },
        attendees=[u for u in users.values() if u.team_id == team.pk],
    )
    actions = [
        ("整理首次沟通话术模板", "rep1", "", -10, True),
        ("转介绍奖励方案上线", "manager1", "", -3, False),
        ("B 产品线促销活动策划", None, "市场部", 7, False),
    ]
    for what, owner, department, due, done in actions:
        item = services.add_action_item(
            meeting=meeting,
            actor=users["manager1"],
            values={
                "what": what,
                "owner": users[owner] if owner else None,
                "department": department,
                "due_on": _day(now, due),
            },
        )
        if done:
            services.complete_action_item(item=item, actor=item.responsible, now=now)
    return len(actions)


#: per rep of the team: participation, pre, post, behaviour (1-5)
SCORES = [(5, 62, 85, 4), (4, 70, 82, 4), (3, 55, 66, 3), (4, 68, 90, 5), (2, 58, 61, 2)]


def _course(users: dict[str, User], team: Team, now: datetime) -> int:
    trainer = users["support1"]
    course = services.create_course(
        actor=trainer,
        values={
            "title": "顾问式销售与需求调研",
            "held_on": _day(now, -45),
            "team": team,
            "description": "需求挖掘提问、痛点确认、首次沟通话术演练",
        },
    )
    reps = [u for u in users.values() if u.team_id == team.pk and u.role.endswith("_rep")]
    for person, (participation, pre, post, behaviour) in zip(reps, SCORES, strict=False):
        record = services.add_attendee(course=course, actor=trainer, person=person)
        services.update_record(
            record=record,
            actor=trainer,
            values={
                "participation": participation,
                "pre_score": Decimal(pre),
                "post_score": Decimal(post),
            },
        )
        services.update_record(
            record=record,
            actor=users["manager1"],
            values={"behaviour_rating": behaviour, "behaviour_note": "30 天后观察"},
        )
    if len(reps) > len(SCORES):
        absent = services.add_attendee(course=course, actor=trainer, person=reps[len(SCORES)])
        services.update_record(record=absent, actor=trainer, values={"attended": False})
    return services.measure_results(course=course, actor=trainer, now=now)


def _project(users: dict[str, User], team: Team, now: datetime) -> int:
    director = users["director"]
    project = services.create_project(
        actor=director,
        values={
            "title": "线索首次跟进及时率提升",
            "goal": "首次响应及时率 ≥ 90%，需求调研完整度 ≥ 85%",
            "scope": "线索分配后至首次需求确认环节",
            "team": None,
            "pilot_team": team,
            "started_on": _day(now, -60),
            "rollout": Rollout.PILOT,
        },
        now=now,
    )
    first_of_this_month = timezone.localdate(now).replace(day=1)
    months = [first_of_this_month]
    for _i in range(2):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    for month in months:
        review = services.measure_project(project=project, month=month, actor=director, now=now)
        if month_bounds(month)[1] < timezone.localdate(now):
            services.save_review_notes(
                review=review, actor=director, notes="试点团队复盘：跟进提醒已生效，继续观察。"
            )
    return len(months)


@transaction.atomic
def load_demo_teamwork(*, users: dict[str, User], teams: list[Team], now: datetime) -> dict:
    """Create the demo's team work once; returns what was created (all zeros the second
    time)."""
    if Task.objects.filter(title=MARKER).exists():
        return {"tasks": 0, "actions": 0, "records": 0, "reviews": 0, "reminders": 0}
    created = {
        "tasks": _tasks(users, now),
        "actions": _meeting(users, teams[0], now),
        "records": _course(users, teams[0], now),
        "reviews": _project(users, teams[0], now),
    }
    created["reminders"] = services.remind_due_items(now)
    return created
