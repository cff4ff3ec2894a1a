"""Handover (人员变动): everything a leaving or moving rep holds — leads, customers,
contracts, open next actions — goes to one or several successors, previewed first, with a
record."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import cycle

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.activities.models import FollowUp
from loudou.assignment.choices import AssignVia, HandoverSpread
from loudou.assignment.models import Assignment, Handover
from loudou.assignment.permissions import manages
from loudou.assignment.services.rules import holdings
from loudou.core.audit import record
from loudou.customers.models import Customer
from loudou.customers.services import follow_lead_owner
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable


@dataclass
class HandoverPlan:
    """What would go where: items are {kind, id, label, to} with `to` a successor's id."""

    from_user: User
    successors: list[User]
    rule: str
    items: list[dict] = field(default_factory=list)

    def counts(self) -> dict[int, dict[str, int]]:
        out = {u.pk: {"lead": 0, "customer": 0, "next_action": 0} for u in self.successors}
        for item in self.items:
            mine = out[item["to"]]
            mine[item["kind"]] = mine.get(item["kind"], 0) + 1
        return out


def _check(actor: User, from_user: User, successors: list[User]) -> None:
    if actor.pk == from_user.pk or not manages(actor, from_user):
        raise PermissionDenied(_("只有该员工所在团队的经理、销售总监或管理员可以办理交接。"))
    if not successors:
        raise ValidationError({"successors": [_("请至少选择一位接手人。")]})
    if any(s.pk == from_user.pk or not s.is_active for s in successors):
        raise ValidationError({"successors": [_("接手人不能是交出人，且必须在职。")]})
    for successor in successors:
        ensure_assignable(actor, successor)


class _Chooser:
    """Picks successors: the first, in turn, or the one with the most room left."""

    def __init__(self, successors: list[User], rule: str):
        self.rule, self.successors = rule, successors
        self.turn = cycle(successors)
        held = holdings(successors)
        self.room = {s.pk: s.capacity - held.get(s.pk, 0) for s in successors}

    def next(self) -> int:
        if self.rule == HandoverSpread.ONE:
            return self.successors[0].pk
        if self.rule == HandoverSpread.ROUND_ROBIN:
            return next(self.turn).pk
        pk = max(self.successors, key=lambda s: (self.room[s.pk], -s.pk)).pk
        self.room[pk] -= 1
        return pk


def _items(from_user: User, successors: list[User], rule: str) -> list[dict]:
    """Customers first; a customer's leads follow it; a lead's open actions follow the lead."""
    choose, items, went = _Chooser(successors, rule), [], {}
    for customer in Customer.objects.filter(owner=from_user).order_by("pk"):
        went[("customer", customer.pk)] = choose.next()
        items.append({"kind": "customer", "id": customer.pk, "label": customer.name})
    for lead in Lead.objects.filter(owner=from_user).order_by("pk"):
        to = went.get(("customer", lead.customer_id)) or choose.next()
        went[("lead", lead.pk)] = to
        items.append({"kind": "lead", "id": lead.pk, "label": str(lead)})
    items += _contract_items(from_user, went, choose)
    actions = FollowUp.objects.filter(next_action_owner=from_user, next_action_done_at=None)
    for action in actions.exclude(next_action="").order_by("pk"):
        to = went.get(("lead", action.lead_id)) or choose.next()
        went[("next_action", action.pk)] = to
        items.append({"kind": "next_action", "id": action.pk, "label": action.next_action})
    for item in items:
        item["to"] = went[(item["kind"], item["id"])]
    return items


def _contract_items(from_user: User, went: dict, choose: _Chooser) -> list[dict]:
    """A contract follows its lead, else its customer (ADR 0007: commerce is a later app)."""
    from loudou.commerce.models import Contract

    items = []
    for contract in Contract.objects.filter(owner=from_user).order_by("pk"):
        to = went.get(("lead", contract.lead_id)) or went.get(("customer", contract.customer_id))
        went[("contract", contract.pk)] = to or choose.next()
        items.append({"kind": "contract", "id": contract.pk, "label": str(contract)})
    return items


def plan_handover(
    *, from_user: User, successors: list[User], rule: str, actor: User
) -> HandoverPlan:
    """The preview: which lead, customer and open next action would go to whom."""
    _check(actor, from_user, successors)
    plan = HandoverPlan(from_user=from_user, successors=successors, rule=rule)
    plan.items = _items(from_user, successors, rule)
    return plan


def _move(item: dict, from_user: User, to: User, actor: User, now: datetime) -> bool:
    kind, pk = item["kind"], item["id"]
    if kind == "lead":
        moved = Lead.objects.filter(pk=pk, owner=from_user).update(owner=to, assigned_at=now)
        obj = Lead(pk=pk) if moved else None
    elif kind == "customer":
        moved = Customer.objects.filter(pk=pk, owner=from_user).update(owner=to)
        obj = Customer(pk=pk) if moved else None
    elif kind == "contract":
        from loudou.commerce.models import Contract  # ADR 0007

        moved = Contract.objects.filter(pk=pk, owner=from_user).update(owner=to)
        obj = Contract(pk=pk) if moved else None
    else:
        open_action = {"pk": pk, "next_action_owner": from_user, "next_action_done_at": None}
        moved = FollowUp.objects.filter(**open_action).update(next_action_owner=to)
        obj = Lead(pk=FollowUp.objects.get(pk=pk).lead_id) if moved else None
    if obj is None:
        return False
    field_name = "next_action_owner" if kind == "next_action" else "owner"
    change = {"field": field_name, "before": str(from_user), "after": str(to)}
    record(obj=obj, actor=actor, verb=f"{kind}.handed_over", changes=[change], reason=_("人员交接"))
    return True


@transaction.atomic
def run_handover(*, plan: HandoverPlan, actor: User, now: datetime | None = None) -> Handover:
    """Move everything, re-planned now so that nothing added since the preview is left
    behind; each move is a conditional UPDATE with an audit event."""
    now = now or timezone.now()
    fresh = plan_handover(
        from_user=plan.from_user, successors=plan.successors, rule=plan.rule, actor=actor
    )
    by_id = {s.pk: s for s in fresh.successors}
    done = [i for i in fresh.items if _move(i, plan.from_user, by_id[i["to"]], actor, now)]
    moved_leads = [i["id"] for i in done if i["kind"] == "lead"]
    for lead in Lead.objects.filter(pk__in=moved_leads).select_related("owner").order_by("pk"):
        follow_lead_owner(lead=lead, actor=actor)
    Assignment.objects.bulk_create(
        Assignment(
            lead_id=i["id"],
            user=by_id[i["to"]],
            via=AssignVia.HANDOVER,
            at=now,
            actor=actor,
            explanation=_("人员交接：从 {user} 接手").format(user=plan.from_user),
        )
        for i in done
        if i["kind"] == "lead"
    )
    return Handover.objects.create(
        from_user=plan.from_user, spread=plan.rule, items=done, at=now, actor=actor
    )
