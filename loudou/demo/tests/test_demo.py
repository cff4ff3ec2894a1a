"""The demo company loader: the cast, the spread of leads, validity and idempotency."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone

from loudou.assignment.choices import EntryReason
from loudou.compliance.phones import normalise_phone
from loudou.demo.services import DEMO_PASSWORD, load_demo
from loudou.leads.models import Lead, SourceChannel
from loudou.org.choices import Role
from loudou.org.models import Industry, Region, Team, User

pytestmark = pytest.mark.django_db


NOW = datetime(2026, 6, 30, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def loaded(demo_once, time_machine):
    """The demo with 60 leads (loaded once for the module), the clock at NOW."""
    time_machine.move_to(NOW, tick=False)
    return demo_once


def test_the_demo_company_has_three_teams_each_with_a_manager_and_six_reps(loaded):
    # given the demo loaded with 60 leads (fixture)
    # when we look at the teams
    teams = Team.objects.select_related("manager")
    # then each of the three has its manager and six reps, in its own region
    assert teams.count() == 3
    for team in teams:
        assert team.manager is not None
        assert team.manager.role == Role.MANAGER
        assert team.manager.team == team
        reps = team.members.filter(role__in=[Role.SENIOR_REP, Role.JUNIOR_REP])
        assert reps.count() == 6
        assert {r.role for r in reps} == {Role.SENIOR_REP, Role.JUNIOR_REP}
        assert team.region is not None


def test_the_demo_company_has_a_director_an_admin_marketing_and_support(loaded):
    # given the demo loaded (fixture)
    # when we look up the people outside the teams
    director = User.objects.get(username="director")
    admin = User.objects.get(username="admin")
    marketing = User.objects.filter(role=Role.MARKETING)
    # then they are all there, and everybody has a Chinese name and the demo password
    assert director.role == Role.DIRECTOR
    assert admin.role == Role.ADMIN
    assert admin.is_superuser
    assert set(marketing.values_list("username", flat=True)) == {"marketing1", "marketing2"}
    assert User.objects.filter(role=Role.SUPPORT).count() == 2
    assert all("\u4e00" <= u.display_name[0] <= "\u9fff" for u in User.objects.all())
    assert User.objects.get(username="rep7").check_password(DEMO_PASSWORD)


def test_reps_have_specialties_and_a_capacity(loaded):
    # given the demo loaded (fixture)
    # when we look at the reps
    reps = User.objects.filter(role__in=[Role.SENIOR_REP, Role.JUNIOR_REP])
    # then each has industries and regions to specialise in and a capacity
    assert reps.count() == 18
    for rep in reps:
        assert rep.specialty_industries.exists()
        assert rep.specialty_regions.exists()
        assert rep.capacity > 0


def test_sixty_leads_use_every_source_channel_industry_and_region(loaded):
    # given the demo loaded with 60 leads (fixture)
    # when we collect what the leads use
    leads = Lead.objects.all()
    # then every reference row appears at least once
    assert leads.count() == 60
    assert set(leads.values_list("source", flat=True)) == set(
        SourceChannel.objects.values_list("pk", flat=True)
    )
    assert set(leads.values_list("industry", flat=True)) == set(
        Industry.objects.values_list("pk", flat=True)
    )
    assert set(leads.values_list("region", flat=True)) == set(
        Region.objects.values_list("pk", flat=True)
    )


def test_every_demo_phone_is_valid_e164(loaded):
    # given the demo loaded (fixture)
    # when we collect the phone numbers
    phones = list(Lead.objects.exclude(phone="").values_list("phone", flat=True))
    # then each one is already normalised E.164
    assert phones
    for phone in phones:
        assert phone.startswith("+86")
        assert normalise_phone(phone) == phone


def test_leads_are_owned_by_reps_or_waiting_for_marketing_or_in_the_pool_and_numbered(loaded):
    # given the demo loaded (fixture)
    leads = Lead.objects.select_related("owner", "captured_by", "pool_entry")
    # when we look at owners and numbers
    # then owned leads were registered by their owner; unowned ones by marketing, unless
    # the 公海 took them back from a rep who let them go quiet
    for lead in leads:
        if lead.owner is not None:
            assert lead.captured_by == lead.owner
        elif lead.captured_by.role != Role.MARKETING:
            assert lead.pool_entry.reason == EntryReason.NO_FOLLOW_UP
            assert lead.pool_entry.previous_owner == lead.captured_by
        assert lead.number.startswith("LX")
        assert lead.external_ref.startswith("demo-")
        assert lead.customer_id is not None


def _rows() -> dict[str, int]:
    """Rows in every table (the demo writes through nearly every app)."""
    models = apps.get_models(include_auto_created=True)
    return {model._meta.label: model.objects.count() for model in models}


def test_loading_the_demo_twice_adds_no_row_to_any_table(loaded, time_machine):
    # given the demo loaded once (fixture), and ten minutes later
    before = _rows()
    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    # when it is loaded again
    result = load_demo(leads=60)
    # then no table gained or lost a row, and the first run had written to all of these
    assert _rows() == before
    assert result["users_created"] == 0
    assert result["teams_created"] == 0
    assert result["leads_created"] == 0
    assert (result["stage_moves"], result["follow_ups"]) == (0, 0)
    assert result["leads_total"] == 60
    written = [
        "leads.Lead",
        "pipeline.StageChange",
        "activities.FollowUp",
        "core.Event",
        "notifications.Notification",
        "assignment.Pool",
        "assignment.PoolEntry",
        "health.ExceptionCase",
    ]
    assert [label for label in written if before[label] == 0] == []


def test_asking_for_more_leads_adds_only_the_missing_ones(loaded):
    # given the demo loaded with 60 leads (fixture)
    users = User.objects.count()
    # when it is loaded with 70
    result = load_demo(leads=70)
    # then ten leads were added and no people
    assert result["leads_created"] == 10
    assert Lead.objects.count() == 70
    assert User.objects.count() == users


def test_the_demo_password_passes_the_password_validators():
    # given the demo password
    # when Django's validators check it
    # then it passes (no exception)
    validate_password(DEMO_PASSWORD)


def test_leads_spread_over_the_past_year_and_are_dated_to_their_capture(loaded):
    # given the demo loaded (fixture)
    now = timezone.now()
    # when we look at capture times
    leads = list(Lead.objects.select_related("customer"))
    # then they lie in the past year, and the lead and customer records carry that date
    assert all(now - timedelta(days=366) < lead.captured_at < now for lead in leads)
    assert max(lead.captured_at for lead in leads) - min(lead.captured_at for lead in leads) > (
        timedelta(days=90)
    )
    assert all(lead.created_at == lead.captured_at for lead in leads)
    assert all(lead.customer.created_at == lead.captured_at for lead in leads)
