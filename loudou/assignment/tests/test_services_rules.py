from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from loudou.assignment.choices import AssignVia, RuleKind
from loudou.assignment.models import Assignment, AssignmentRule
from loudou.assignment.services import assign_lead
from loudou.core.models import Event
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.choices import Role
from loudou.org.models import Industry, Region
from loudou.org.tests.factories import UserFactory
from loudou.pipeline.models import Stage

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _only(*rules: tuple[str, dict]) -> list[AssignmentRule]:
    AssignmentRule.objects.update(is_active=False)
    return [
        AssignmentRule.objects.create(name=kind, kind=kind, order=i, settings=settings)
        for i, (kind, settings) in enumerate(rules)
    ]


def _bulk_leads(n: int, **values) -> list[Lead]:
    Lead.objects.bulk_create(
        Lead(number=f"T{i:08d}", company_name=f"批量{i}", captured_at=NOW, **values)
        for i in range(n)
    )
    return list(Lead.objects.filter(number__startswith="T").order_by("pk"))


def test_specialty_rule_picks_the_industry_and_region_specialist(marketing):
    # given
    _only((RuleKind.SPECIALTY, {}))
    industry, region = Industry.objects.first(), Region.objects.first()
    UserFactory(username="generalist", role=Role.SENIOR_REP)
    expert = UserFactory(username="expert", role=Role.SENIOR_REP)
    expert.specialty_industries.add(industry)
    expert.specialty_regions.add(region)
    half = UserFactory(username="half", role=Role.SENIOR_REP)
    half.specialty_industries.add(industry)
    lead = make_lead(actor=marketing, industry=industry, region=region)

    # when
    assignment = assign_lead(lead=lead, actor=None, now=NOW)

    # then
    lead.refresh_from_db()
    assert (lead.owner, lead.assigned_at) == (expert, NOW)
    assert (assignment.user, assignment.via) == (expert, AssignVia.RULE)
    assert assignment.explanation == (
        f"specialty：擅长{industry}、{region}（1 人）；加权轮询选中 {expert}（权重 1）"
    )
    [event] = Event.objects.for_object(lead).filter(verb="lead.assigned")
    assert event.reason == assignment.explanation


def test_grade_rule_gives_a_leads_to_senior_reps_and_c_leads_to_marketing(marketing):
    # given
    _only((RuleKind.GRADE_SENIORITY, {"A": ["senior_rep"], "C": ["marketing"]}))
    senior = UserFactory(username="senior", role=Role.SENIOR_REP)
    UserFactory(username="junior", role=Role.JUNIOR_REP)
    a_lead = make_lead(actor=marketing, company_name="甲")
    c_lead = make_lead(actor=marketing, company_name="丙")
    Lead.objects.filter(pk=a_lead.pk).update(intent_grade="A")
    Lead.objects.filter(pk=c_lead.pk).update(intent_grade="C")
    a_lead.refresh_from_db()
    c_lead.refresh_from_db()

    # when
    a = assign_lead(lead=a_lead, actor=None, now=NOW)
    c = assign_lead(lead=c_lead, actor=None, now=NOW)

    # then
    assert (a.user, c.user) == (senior, marketing)
    assert "A 级线索 → 高级销售员" in a.explanation
    assert "C 级线索 → 市场部" in c.explanation


def test_capacity_rule_skips_reps_at_capacity(marketing):
    # given
    _only((RuleKind.CAPACITY, {}))
    full = UserFactory(username="full", role=Role.SENIOR_REP, capacity=1)
    free = UserFactory(username="free", role=Role.SENIOR_REP, capacity=5)
    make_lead(actor=full)
    leads = [make_lead(actor=marketing, company_name=f"公司{i}") for i in range(3)]

    # when
    owners = [assign_lead(lead=lead, actor=None, now=NOW).user for lead in leads]

    # then
    assert owners == [free, free, free]
    assert Lead.objects.filter(owner=full).count() == 1


def test_capacity_rule_respects_the_stages_ideal_count_per_rep(marketing, rep):
    # given
    _only((RuleKind.CAPACITY, {}))
    stage = Stage.objects.filter(kind="open").first()
    Stage.objects.filter(pk=stage.pk).update(ideal_count_per_rep=1)
    other = UserFactory(username="other", role=Role.SENIOR_REP)
    busy = make_lead(actor=rep)
    Lead.objects.filter(pk=busy.pk).update(stage=stage)
    lead = make_lead(actor=marketing)
    Lead.objects.filter(pk=lead.pk).update(stage=stage)
    lead.refresh_from_db()

    # when
    assignment = assign_lead(lead=lead, actor=None, now=NOW)

    # then
    assert assignment.user == other


def test_a_rule_that_leaves_nobody_is_skipped(marketing):
    # given
    _only((RuleKind.SPECIALTY, {}))
    rep = UserFactory(username="solo", role=Role.JUNIOR_REP)
    lead = make_lead(actor=marketing, industry=Industry.objects.first())

    # when
    assignment = assign_lead(lead=lead, actor=None, now=NOW)

    # then
    assert assignment.user == rep
    assert assignment.explanation.startswith("specialty：无人符合，跳过；")


def test_weighted_round_robin_follows_the_weights(marketing):
    # given
    heavy = UserFactory(username="heavy", role=Role.SENIOR_REP)
    light = UserFactory(username="light", role=Role.SENIOR_REP)
    [rule] = _only((RuleKind.ROUND_ROBIN, {"weights": {str(heavy.pk): 2}}))
    leads = _bulk_leads(30)

    # when
    owners = Counter(assign_lead(lead=lead, actor=None, now=NOW).user for lead in leads)

    # then
    assert owners == {heavy: 20, light: 10}
    assert set(Assignment.objects.values_list("rule", flat=True)) == {rule.pk}


def test_default_rules_balance_a_thousand_leads_within_one_of_fair(marketing):
    # given
    reps = [UserFactory(username=f"r{i}", role=Role.JUNIOR_REP, capacity=1000) for i in range(7)]
    leads = _bulk_leads(1000)

    # when
    counts = Counter(assign_lead(lead=lead, actor=None, now=NOW).user_id for lead in leads)

    # then
    fair = 1000 / 7
    assert sorted(counts) == sorted(r.pk for r in reps)
    assert all(abs(n - fair) <= 1 for n in counts.values())
    assert Assignment.objects.count() == 1000
    assert Lead.objects.filter(owner=None).count() == 0


def test_a_rep_back_from_leave_gets_no_catch_up_flood(marketing):
    # given
    _only((RuleKind.ROUND_ROBIN, {}))
    a, b, c = (UserFactory(username=n, role=Role.JUNIOR_REP) for n in "abc")
    leads = _bulk_leads(39)
    for lead in leads[:3]:
        assign_lead(lead=lead, actor=None, now=NOW)
    c.on_leave = True
    c.save()
    for i, lead in enumerate(leads[3:30]):
        assign_lead(lead=lead, actor=None, now=NOW + timedelta(minutes=i))

    # when
    c.on_leave = False
    c.save()
    after = Counter(
        assign_lead(lead=lead, actor=None, now=NOW + timedelta(hours=1, minutes=i)).user
        for i, lead in enumerate(leads[30:])
    )

    # then
    assert Lead.objects.filter(owner=c).count() == 1 + after[c]
    assert after == {a: 3, b: 3, c: 3}


def test_lead_a_rep_registers_is_credited_to_them_as_self_sourced(rep):
    # given
    lead = make_lead(actor=rep)

    # when
    first = assign_lead(lead=lead, actor=rep, now=NOW)
    again = assign_lead(lead=lead, actor=rep, now=NOW)

    # then
    assert (first.user, first.via, first.rule) == (rep, AssignVia.SELF_SOURCED, None)
    assert again == first
    assert first.explanation == f"自主开发：{rep} 录入的客户归其本人"
    assert Assignment.objects.count() == 1


def test_a_lead_someone_else_owns_is_not_reassigned(rep, teammate, manager):
    # given
    lead = make_lead(actor=manager, owner=teammate)

    # when
    result = assign_lead(lead=lead, actor=manager, now=NOW)

    # then
    assert result is None
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert not Assignment.objects.exists()


def test_rep_cannot_run_the_assignment_rules(rep, marketing):
    # given
    lead = make_lead(actor=marketing)

    # when
    with pytest.raises(PermissionDenied):
        assign_lead(lead=lead, actor=rep, now=NOW)

    # then
    lead.refresh_from_db()
    assert lead.owner is None
    assert not Assignment.objects.exists()


def test_nobody_eligible_leaves_the_lead_unowned(marketing):
    # given
    _only()
    lead = make_lead(actor=marketing)

    # when
    result = assign_lead(lead=lead, actor=None, now=NOW)

    # then
    assert result is None
    lead.refresh_from_db()
    assert lead.owner is None
