"""A leaving rep's contracts go with their leads (assignment.services.handover)."""

from datetime import UTC, datetime

import pytest

from loudou.assignment.choices import HandoverSpread
from loudou.assignment.services.handover import plan_handover, run_handover
from loudou.commerce.models import Contract, Order
from loudou.commerce.tests.factories import make_contract, make_customer_lead, sign
from loudou.core.models import Event
from loudou.leads.models import Lead

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def test_a_contract_follows_its_lead_to_the_successor(manager, rep, teammate, director):
    # given  two leads spread round-robin; a signed contract on the second lead
    first, second = make_customer_lead(owner=rep), make_customer_lead(owner=rep)
    contract = sign(make_contract(actor=rep, lead=second), actor=rep)
    plan = plan_handover(
        from_user=rep,
        successors=[teammate, manager],
        rule=HandoverSpread.ROUND_ROBIN,
        actor=director,
    )
    # when
    handover = run_handover(plan=plan, actor=director, now=NOW)
    # then
    second_owner = Lead.objects.get(pk=second.pk).owner
    assert Contract.objects.get(pk=contract.pk).owner == second_owner
    assert {
        "kind": "contract",
        "id": contract.pk,
        "label": str(contract),
        "to": second_owner.pk,
    } in (handover.items)
    event = Event.objects.for_object(contract).first()
    assert (event.verb, event.actor, event.changes[0]["after"]) == (
        "contract.handed_over",
        director,
        str(second_owner),
    )
    assert Contract.objects.filter(owner=rep).count() == 0
    assert first.pk != second.pk


def test_the_order_keeps_who_sold_it(manager, rep, teammate):
    # given
    contract = sign(make_contract(actor=rep), actor=rep)
    plan = plan_handover(
        from_user=rep, successors=[teammate], rule=HandoverSpread.ONE, actor=manager
    )
    # when
    run_handover(plan=plan, actor=manager, now=NOW)
    # then  the contract is the successor's to serve; the sale stays the rep's (targets)
    assert Contract.objects.get(pk=contract.pk).owner == teammate
    assert Order.objects.get().owner == rep
    assert plan.counts()[teammate.pk]["contract"] == 1
