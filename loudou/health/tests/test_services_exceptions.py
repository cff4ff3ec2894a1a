"""The sweep reconciles cases (no duplicates, cleared conditions resolved), notifies the
owners of new cases once, and acknowledging/resolving is recorded."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.health.choices import CaseStatus, Rule
from loudou.health.models import ExceptionCase
from loudou.health.services.exceptions import acknowledge, resolve, run_sweep, sweep
from loudou.health.tests.factories import DAY, HOUR, T0, follow_up, new_lead
from loudou.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_leads(clock, rep, teammate):
    """rep: two leads never followed up; teammate: one."""
    return [new_lead(rep), new_lead(rep), new_lead(teammate)]


def no_follow_up_cases():
    return ExceptionCase.objects.filter(rule=Rule.NO_FOLLOW_UP)


def test_second_sweep_updates_open_cases_instead_of_duplicating(late_leads, rep):
    # given
    first = sweep(now=T0 + 25 * HOUR)
    total = ExceptionCase.objects.count()
    # when
    second = sweep(now=T0 + 26 * HOUR)
    # then
    assert ExceptionCase.objects.count() == total
    assert second.opened == 0
    assert second.resolved == 0
    assert second.updated == first.opened == total
    case = no_follow_up_cases().get(rep=rep)
    assert case.opened_at == T0 + 25 * HOUR
    assert case.last_seen_at == T0 + 26 * HOUR


def test_changed_figures_update_the_cases_in_place(late_leads, rep, teammate):
    # given: both reps have an open case; then rep gets a third late lead
    sweep(now=T0 + 25 * HOUR)
    before = {c.rep_id: c.pk for c in no_follow_up_cases()}
    extra = new_lead(rep)
    acknowledge(case=no_follow_up_cases().get(rep=rep), actor=rep)
    # when (the new lead is late too by then)
    result = sweep(now=T0 + 50 * HOUR)
    # then: the same cases, rep's with the new figures and still acknowledged
    assert result.opened == 0
    assert {c.rep_id: c.pk for c in no_follow_up_cases()} == before
    case = no_follow_up_cases().get(rep=rep)
    assert sorted(case.lead_ids) == sorted([late_leads[0].pk, late_leads[1].pk, extra.pk])
    assert case.lead_count == 3
    assert case.metrics["leads"] == 3
    assert case.status == CaseStatus.ACKNOWLEDGED
    assert case.last_seen_at == T0 + 50 * HOUR
    other = no_follow_up_cases().get(rep=teammate)
    assert other.lead_ids == [late_leads[2].pk]
    assert other.lead_count == 1


def test_cleared_condition_resolves_the_case_automatically(clock, late_leads, rep, teammate):
    # given
    sweep(now=T0 + 25 * HOUR)
    # when: teammate follows their lead up; rep follows up only one of two
    follow_up(clock, late_leads[2], T0 + 26 * HOUR)
    follow_up(clock, late_leads[0], T0 + 26 * HOUR)
    result = sweep(now=T0 + 27 * HOUR)
    # then
    mate_case = no_follow_up_cases().get(rep=teammate)
    assert mate_case.status == CaseStatus.RESOLVED
    assert mate_case.auto_resolved is True
    assert mate_case.resolved_at == T0 + 27 * HOUR
    assert mate_case.resolved_by is None
    rep_case = no_follow_up_cases().get(rep=rep)
    assert rep_case.status == CaseStatus.OPEN
    assert rep_case.lead_ids == [late_leads[1].pk]
    assert result.resolved >= 1


def test_condition_back_after_a_manual_resolve_opens_a_new_case(late_leads, rep):
    # given
    sweep(now=T0 + 25 * HOUR)
    case = no_follow_up_cases().get(rep=rep)
    resolve(case=case, actor=rep, note="已处理")
    # when: still not followed up
    sweep(now=T0 + 26 * HOUR)
    # then
    cases = no_follow_up_cases().filter(rep=rep).order_by("pk")
    assert [c.status for c in cases] == [CaseStatus.RESOLVED, CaseStatus.OPEN]


def test_acknowledged_case_stays_acknowledged_when_still_found(late_leads, rep):
    # given
    sweep(now=T0 + 25 * HOUR)
    case = no_follow_up_cases().get(rep=rep)
    acknowledge(case=case, actor=rep, note="今天联系")
    # when
    sweep(now=T0 + 26 * HOUR)
    # then
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED
    assert case.last_seen_at == T0 + 26 * HOUR


def test_owners_are_notified_once_per_sweep_with_new_cases(late_leads, rep, teammate):
    # when
    sweep(now=T0 + 25 * HOUR)
    sweep(now=T0 + 26 * HOUR)
    # then: one notification each for the first sweep, none for the second
    notes = Notification.objects.filter(kind="health_exception")
    assert sorted(n.user.username for n in notes if n.user in (rep, teammate)) == [
        "rep",
        "teammate",
    ]
    rep_note = notes.get(user=rep)
    rep_cases = ExceptionCase.objects.filter(owner=rep).count()
    assert rep_note.title == f"新的意外状态：{rep_cases} 项"
    assert rep_note.url == "/health/exceptions/?status=open"


def test_acknowledge_and_resolve_record_who_when_and_note(late_leads, manager, rep):
    # given
    sweep(now=T0 + 25 * HOUR)
    case = no_follow_up_cases().get(rep=rep)
    # when
    acknowledge(case=case, actor=manager, note="本周跟进", now=T0 + 30 * HOUR)
    resolve(case=case, actor=manager, note="已全部联系", now=T0 + 2 * DAY)
    # then
    case.refresh_from_db()
    assert (case.status, case.acknowledged_by, case.acknowledged_at, case.acknowledge_note) == (
        CaseStatus.RESOLVED,
        manager,
        T0 + 30 * HOUR,
        "本周跟进",
    )
    assert (case.resolved_by, case.resolved_at, case.resolve_note, case.auto_resolved) == (
        manager,
        T0 + 2 * DAY,
        "已全部联系",
        False,
    )
    events = Event.objects.for_object(case).order_by("pk")
    assert [(e.verb, e.actor, e.reason) for e in events] == [
        ("health.acknowledge", manager, "本周跟进"),
        ("health.resolve", manager, "已全部联系"),
    ]


def test_resolved_case_cannot_be_acknowledged(late_leads, rep):
    # given
    sweep(now=T0 + 25 * HOUR)
    case = no_follow_up_cases().get(rep=rep)
    resolve(case=case, actor=rep)
    # when / then
    with pytest.raises(ValidationError):
        acknowledge(case=case, actor=rep)
    assert not Event.objects.for_object(case).filter(verb="health.acknowledge").exists()


def test_rep_cannot_handle_a_case_owned_by_the_manager(clock, rep, stages):
    # given: a rule whose cases go to the manager
    from loudou.health.tests.factories import move, set_thresholds

    set_thresholds(min_sample=1, abandon_rate_max=10)
    move(new_lead(rep), stages["abandoned"], T0 + HOUR)
    sweep(now=T0 + DAY)
    case = ExceptionCase.objects.get(rule=Rule.HIGH_ABANDONMENT, rep=rep)
    # when / then
    with pytest.raises(PermissionDenied):
        resolve(case=case, actor=rep)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


@pytest.mark.parametrize("who", ["rep", "other_manager", "marketing"])
def test_sweep_on_demand_refused(request, cast, team_a, who):
    with pytest.raises(PermissionDenied):
        run_sweep(actor=request.getfixturevalue(who), team=team_a)
    assert not ExceptionCase.objects.exists()


def test_team_sweep_leaves_other_teams_cases_alone(late_leads, other_team_rep, team_a, manager):
    # given: other team's lead not followed up
    other = new_lead(other_team_rep)
    sweep(now=T0 + 25 * HOUR)
    other_case = no_follow_up_cases().get(rep=other_team_rep)
    # when: team A's manager sweeps their team after the other lead is gone from the rule
    from loudou.leads.models import Lead

    Lead.objects.filter(pk=other.pk).update(is_valid=False)
    run_sweep(actor=manager, team=team_a, now=T0 + 26 * HOUR)
    # then
    other_case.refresh_from_db()
    assert other_case.status == CaseStatus.OPEN
    assert other_case.last_seen_at == T0 + 25 * HOUR
