from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied

from loudou.activities.models import FollowUp
from loudou.assignment.choices import AssignVia, HandoverSpread
from loudou.assignment.models import Assignment, Handover
from loudou.assignment.services.handover import plan_handover, run_handover
from loudou.core.models import Event
from loudou.customers.models import Customer
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _holdings(rep, customers=2, leads=3):
    made = [Customer.objects.create(name=f"客户{i}", owner=rep) for i in range(customers)]
    lead_list = [make_lead(actor=rep, company_name=f"线索{i}") for i in range(leads)]
    Lead.objects.filter(pk=lead_list[0].pk).update(customer=made[0])
    action = FollowUp.objects.create(
        lead=lead_list[1],
        occurred_at=NOW,
        summary="电话沟通",
        next_action="发报价",
        next_action_owner=rep,
        author=rep,
    )
    return made, lead_list, action


def test_handover_to_one_successor_moves_everything(manager, rep, teammate):
    # given
    customers, leads, action = _holdings(rep)
    held_customers = Customer.objects.filter(owner=rep).count()
    plan = plan_handover(
        from_user=rep, successors=[teammate], rule=HandoverSpread.ONE, actor=manager
    )

    # when
    handover = run_handover(plan=plan, actor=manager, now=NOW)

    # then
    assert plan.counts() == {teammate.pk: {"lead": 3, "customer": held_customers, "next_action": 1}}
    assert Lead.objects.filter(owner=rep).count() == 0
    assert Lead.objects.filter(owner=teammate).count() == 3
    assert Customer.objects.filter(owner=rep).count() == 0
    assert Customer.objects.filter(owner=teammate).count() == held_customers
    action.refresh_from_db()
    assert action.next_action_owner == teammate
    assert len(handover.items) == 3 + held_customers + 1
    assert {(i["kind"], i["to"]) for i in handover.items} == {
        ("customer", teammate.pk),
        ("lead", teammate.pk),
        ("next_action", teammate.pk),
    }
    assert Assignment.objects.filter(via=AssignVia.HANDOVER, user=teammate).count() == 3
    assert Event.objects.filter(verb="lead.handed_over").count() == 3
    assert Event.objects.filter(verb="customer.handed_over").count() == held_customers
    assert Event.objects.filter(verb="next_action.handed_over").count() == 1


def test_round_robin_handover_keeps_a_customer_and_its_leads_together(director, rep, teammate):
    # given
    customers, leads, _action = _holdings(rep, customers=2, leads=3)

    # when
    plan = plan_handover(
        from_user=rep,
        successors=[teammate, director],
        rule=HandoverSpread.ROUND_ROBIN,
        actor=director,
    )

    # then
    went = {(i["kind"], i["id"]): i["to"] for i in plan.items}
    assert went[("customer", customers[0].pk)] == teammate.pk
    assert went[("customer", customers[1].pk)] == director.pk
    assert went[("lead", leads[0].pk)] == teammate.pk
    assert went[("next_action", _action.pk)] == went[("lead", leads[1].pk)]
    assert Lead.objects.filter(owner=rep).count() == 3


def test_run_includes_what_was_added_after_the_preview(manager, rep, teammate):
    # given
    plan = plan_handover(
        from_user=rep, successors=[teammate], rule=HandoverSpread.ONE, actor=manager
    )
    late = make_lead(actor=rep, company_name="预览后新增")

    # when
    run_handover(plan=plan, actor=manager, now=NOW)

    # then
    late.refresh_from_db()
    assert late.owner == teammate


@pytest.mark.parametrize("who", ["rep", "teammate", "other_manager", "other_team_rep"])
def test_only_the_team_manager_director_or_admin_may_hand_over(request, rep, teammate, who):
    # given
    customers, leads, action = _holdings(teammate)
    actor = request.getfixturevalue(who)

    # when
    with pytest.raises(PermissionDenied):
        plan_handover(from_user=teammate, successors=[rep], rule=HandoverSpread.ONE, actor=actor)

    # then
    assert Lead.objects.filter(owner=teammate).count() == 3
    assert not Handover.objects.exists()


def test_a_rep_cannot_run_a_plan_for_someone_else(manager, rep, teammate):
    # given
    _holdings(teammate)
    plan = plan_handover(
        from_user=teammate, successors=[rep], rule=HandoverSpread.ONE, actor=manager
    )

    # when
    with pytest.raises(PermissionDenied):
        run_handover(plan=plan, actor=rep, now=NOW)

    # then
    assert Lead.objects.filter(owner=teammate).count() == 3
    assert not Handover.objects.exists()
    assert not Event.objects.filter(verb__endswith="handed_over").exists()
