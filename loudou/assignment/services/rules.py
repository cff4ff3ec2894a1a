"""Assignment rules (SPEC §4): narrow the eligible reps rule by rule, then weighted round
robin inside the group with a deficit-free pointer, and record “why this rep”."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.assignment.choices import AssignVia, RuleKind
from loudou.assignment.models import Assignment, AssignmentRule, PoolEntry, RoundRobinState
from loudou.core.audit import record
from loudou.customers.services import follow_lead_owner
from loudou.leads.models import Lead
from loudou.org.choices import Role
from loudou.org.models import User

#: Who receives leads by rule unless a grade rule names other roles (marketing nurturing).
ASSIGNABLE_ROLES = [Role.SENIOR_REP, Role.JUNIOR_REP, Role.ASSISTANT]
DEFAULT_GRADE_ROLES = {
    "A": [Role.SENIOR_REP],
    "B": [Role.SENIOR_REP, Role.JUNIOR_REP],
    "C": [Role.JUNIOR_REP, Role.ASSISTANT],
}


def _available(roles) -> list[User]:
    users = User.objects.filter(is_active=True, on_leave=False, role__in=list(roles))
    return list(users.order_by("pk"))


def _specialty(rule, lead: Lead, users: list[User]) -> tuple[list[User], str]:
    """Specialists of the lead's industry and region; both first, either next."""
    wanted = []
    if lead.industry_id:
        wanted.append(Q(specialty_industries=lead.industry_id))
    if lead.region_id:
        wanted.append(Q(specialty_regions=lead.region_id))
    if not wanted:
        return [], ""
    ids = [u.pk for u in users]
    both = set(User.objects.filter(*wanted, pk__in=ids).values_list("pk", flat=True))
    any_q = wanted[0] if len(wanted) == 1 else wanted[0] | wanted[1]
    either = set(User.objects.filter(any_q, pk__in=ids).values_list("pk", flat=True))
    chosen = both or either
    labels = "、".join(str(x) for x in (lead.industry, lead.region) if x)
    return [u for u in users if u.pk in chosen], _("擅长{what}").format(what=labels)


def _grade_seniority(rule, lead: Lead, users: list[User]) -> tuple[list[User], str]:
    """The roles configured for the lead's grade; nurturing roles (e.g. marketing) join."""
    roles = rule.settings.get(lead.intent_grade, DEFAULT_GRADE_ROLES.get(lead.intent_grade, []))
    kept = [u for u in users if u.role in roles]
    extra = [r for r in roles if r not in ASSIGNABLE_ROLES]
    kept += [u for u in _available(extra) if u not in kept] if extra else []
    names = "、".join(str(Role(r).label) for r in roles if r in Role.values)
    return kept, _("{grade} 级线索 → {roles}").format(grade=lead.intent_grade, roles=names)


def holdings(users: list[User], stage: int | None = None) -> dict[int, int]:
    """Open leads owned per user (won and lost leads do not load a rep), or in one stage."""
    leads = Lead.objects.filter(owner__in=users)
    leads = leads.filter(stage=stage) if stage else leads
    rows = leads.exclude(stage__kind__in=["won", "lost"]).values("owner").annotate(n=Count("pk"))
    return {row["owner"]: row["n"] for row in rows}


def _capacity(rule, lead: Lead, users: list[User]) -> tuple[list[User], str]:
    """Reps under their capacity and under the stage's ideal count per rep; with
    {"least_loaded": true}, only the least loaded."""
    held = holdings(users)
    kept = [u for u in users if held.get(u.pk, 0) < u.capacity]
    ideal = lead.stage.ideal_count_per_rep if lead.stage_id else None
    if kept and ideal:
        in_stage = holdings(kept, stage=lead.stage_id)
        kept = [u for u in kept if in_stage.get(u.pk, 0) < ideal]
    if kept and rule.settings.get("least_loaded"):
        low = min(held.get(u.pk, 0) / max(u.capacity, 1) for u in kept)
        kept = [u for u in kept if held.get(u.pk, 0) / max(u.capacity, 1) == low]
    return kept, _("持有量低于容量")


NARROWERS = {
    RuleKind.SPECIALTY: _specialty,
    RuleKind.GRADE_SENIORITY: _grade_seniority,
    RuleKind.CAPACITY: _capacity,
}


def _weight(rule: AssignmentRule | None, user: User) -> float:
    weights = rule.settings.get("weights", {}) if rule else {}
    return max(float(weights.get(str(user.pk), 1)), 0.01)


def round_robin_pick(users: list[User], rule: AssignmentRule | None, now: datetime) -> User:
    """The next rep by weighted round robin. Each rep's pointer advances by 1/weight when
    they get a lead; a pointer left behind (leave, new rep) is lifted to one step below the
    front, so nobody collects a debt to be paid back in a flood."""
    states = {s.user_id: s for s in RoundRobinState.objects.filter(user__in=users)}
    known = [s.credit for s in states.values()]
    front = max(known) if known else 0.0

    def position(user: User) -> float:
        floor = front - 1 / _weight(rule, user)
        state = states.get(user.pk)
        return floor if state is None or state.credit < floor else state.credit

    def last(user: User) -> float:
        state = states.get(user.pk)
        at = state.last_assigned_at if state else None
        return at.timestamp() if at else 0.0

    chosen = min(users, key=lambda u: (position(u), last(u), u.pk))
    values = {"credit": position(chosen) + 1 / _weight(rule, chosen), "last_assigned_at": now}
    if chosen.pk in states:
        RoundRobinState.objects.filter(user=chosen).update(**values)
    else:
        RoundRobinState.objects.create(user=chosen, **values)
    return chosen


def _narrow(lead: Lead, rules: list[AssignmentRule]):
    """Apply the narrowing rules in order; a rule that would leave nobody is skipped."""
    roles = set(ASSIGNABLE_ROLES)
    users = _available(roles)
    steps, deciding = [], None
    for rule in rules:
        narrower = NARROWERS.get(rule.kind)
        if narrower is None:
            continue
        kept, label = narrower(rule, lead, users)
        if kept:
            users, deciding = kept, rule
            steps.append(_("{rule}：{label}（{n} 人）").format(rule=rule, label=label, n=len(kept)))
        else:
            steps.append(_("{rule}：无人符合，跳过").format(rule=rule))
    return users, steps, deciding


def may_assign(actor: User | None) -> bool:
    return actor is None or actor.sees_all or actor.role in {Role.MANAGER, Role.MARKETING}


def self_sourced_explanation(owner: User) -> str:
    return _("自主开发：{user} 录入的客户归其本人").format(user=owner)


def record_self_sourced(lead: Lead, actor: User | None, now: datetime) -> Assignment:
    existing = lead.assignments.filter(via=AssignVia.SELF_SOURCED).first()
    return existing or Assignment.objects.create(
        lead=lead,
        user=lead.owner,
        via=AssignVia.SELF_SOURCED,
        explanation=self_sourced_explanation(lead.owner),
        at=lead.assigned_at or now,
        actor=actor or lead.owner,
    )


@transaction.atomic
def assign_lead(
    *, lead: Lead, actor: User | None, via: str = AssignVia.RULE, now: datetime | None = None
) -> Assignment | None:
    """Give an unowned lead to the rep the rules choose; None when nobody is eligible or
    someone else got the lead first. A lead its capturer owns is credited as self-sourced."""
    now = now or timezone.now()
    if lead.owner_id is not None:
        own = lead.owner_id == lead.captured_by_id
        return record_self_sourced(lead, actor, now) if own else None
    if not may_assign(actor):
        raise PermissionDenied(_("您不能按规则分配线索。"))
    rules = list(AssignmentRule.objects.filter(is_active=True))
    users, steps, deciding = _narrow(lead, rules)
    if not users:
        return None
    rr_rule = next((r for r in rules if r.kind == RuleKind.ROUND_ROBIN), None)
    rep = round_robin_pick(users, rr_rule, now)
    steps.append(_("加权轮询选中 {user}（权重 {w:g}）").format(user=rep, w=_weight(rr_rule, rep)))
    if Lead.objects.filter(pk=lead.pk, owner=None).update(owner=rep, assigned_at=now) != 1:
        return None
    PoolEntry.objects.filter(lead=lead).delete()
    lead.owner, lead.assigned_at = rep, now
    record(
        obj=lead,
        actor=actor,
        verb="lead.assigned",
        changes=[{"field": "owner", "before": None, "after": str(rep)}],
        reason="；".join(steps),
    )
    follow_lead_owner(lead=lead, actor=actor)
    return Assignment.objects.create(
        lead=lead,
        user=rep,
        via=via,
        rule=rr_rule or deciding,
        explanation="；".join(steps),
        at=now,
        actor=actor,
    )
