"""The benchmark generator at small scale, through the same code path as at 1M rows:
the rows it writes keep the product's invariants."""

import re
from datetime import UTC, datetime

import pytest
from django.db.models import Count, Max

from bench.generate import generate
from loudou.activities.models import FollowUp
from loudou.leads.models import Lead
from loudou.leads.services.numbering import next_lead_numbers
from loudou.org.models import Team, User
from loudou.pipeline.models import StageChange

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def generated():
    return generate(leads=300, seed=7, now=NOW, progress=lambda message: None)


def _ledgers() -> dict[int, list[StageChange]]:
    rows: dict[int, list[StageChange]] = {}
    for change in StageChange.objects.select_related("to_stage").order_by("lead_id", "at", "id"):
        rows.setdefault(change.lead_id, []).append(change)
    return rows


def test_generator_writes_the_counts_it_reports(generated):
    # given / when: 300 leads generated
    # then
    assert generated["leads"] == Lead.objects.count() == 300
    assert generated["stage_changes"] == StageChange.objects.count()
    assert generated["follow_ups"] == FollowUp.objects.count()
    assert StageChange.objects.count() > 600
    assert FollowUp.objects.count() > 900


def test_lead_stage_is_the_last_ledger_row(generated):
    # given
    ledgers = _ledgers()
    # when / then
    for lead in Lead.objects.select_related("stage"):
        rows = ledgers.get(lead.pk, [])
        if not lead.is_valid:
            assert (lead.stage_id, lead.pipeline_id, rows) == (None, None, [])
            continue
        assert lead.stage_id == rows[-1].to_stage_id
        assert lead.stage_entered_at == rows[-1].at
        assert rows[0].from_stage_id is None
        assert [r.from_stage_id for r in rows[1:]] == [r.to_stage_id for r in rows[:-1]]
        assert lead.captured_at <= rows[0].at
        assert rows[-1].at <= NOW


def test_status_and_last_contact_follow_the_stage_and_follow_ups(generated):
    # given
    last = dict(
        FollowUp.objects.values("lead_id")
        .annotate(m=Max("occurred_at"))
        .values_list("lead_id", "m")
    )
    # when / then
    statuses = set()
    for lead in Lead.objects.select_related("stage"):
        assert lead.last_contact_at == last.get(lead.pk)
        assert lead.status == lead.derive_status()
        statuses.add(lead.status)
    assert statuses == {"pending", "in_progress", "converted", "lost"}


def test_the_kept_follow_up_figures_are_filled_after_the_load(generated):
    # given: the load wrote follow-ups without the service; finish() rebuilds, which
    # recounts (run here alone: finish() also runs VACUUM on PostgreSQL)
    from loudou.activities.services.contacts import recount

    recount()
    moments: dict[int, list[datetime]] = {}
    for lead_id, at in FollowUp.objects.values_list("lead_id", "occurred_at"):
        moments.setdefault(lead_id, []).append(at)
    # when / then: first contact and the stage's count agree with the follow-ups
    stuck = 0
    for lead in Lead.objects.all():
        mine = moments.get(lead.pk, [])
        since = lead.stage_entered_at
        in_stage = 0 if since is None else sum(1 for m in mine if m >= since)
        assert (lead.first_contact_at, lead.stage_follow_ups) == (min(mine, default=None), in_stage)
        stuck += in_stage >= 3
    assert stuck > 0


def test_won_and_lost_moves_carry_their_factors_and_reasons(generated):
    # given
    ledgers = _ledgers()
    # when / then
    for rows in ledgers.values():
        for row in rows:
            assert (row.lost_reason_id is not None) == (row.to_stage.kind == "lost")
            if row.to_stage.kind == "won" and row.from_stage_id and row.to_stage.code == "signed":
                assert 1 <= len(row.win_factors) <= 3
    won = Lead.objects.filter(stage__kind="won")
    assert won.exists()
    assert not won.filter(amount__isnull=True).exists()
    closing = Lead.objects.exclude(expected_close_date=None).values_list(
        "expected_close_date", flat=True
    )
    assert all(2024 <= day.year <= 2026 for day in closing)


def test_numbers_are_unique_and_the_sequence_continues_after_them(generated):
    # given
    numbers = list(Lead.objects.values_list("number", flat=True))
    # when
    fresh = next_lead_numbers(2026)[0]
    # then
    assert all(re.fullmatch(r"LX20(24|25|26)\d{6}", n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert fresh not in numbers


def test_only_the_last_follow_up_of_an_open_lead_keeps_an_open_next_action(generated):
    # given
    open_actions = FollowUp.objects.filter(next_action_done_at__isnull=True).exclude(next_action="")
    # when
    per_lead = open_actions.values("lead_id").annotate(n=Count("pk"))
    # then
    assert per_lead.exists()
    assert {row["n"] for row in per_lead} == {1}
    for follow_up in open_actions.select_related("lead__stage"):
        assert follow_up.lead.stage is None or follow_up.lead.stage.kind == "open"
        assert follow_up.occurred_at == follow_up.lead.last_contact_at
        assert follow_up.next_action_owner_id == follow_up.lead.owner_id == follow_up.author_id
        assert follow_up.result == "pending"


def test_teams_have_managers_and_reps_with_capacity(generated):
    # given
    teams = Team.objects.filter(name__startswith="bench-")
    # when / then
    assert teams.count() == 2
    for team in teams:
        assert team.manager.role == "manager"
        reps = User.objects.filter(team=team, role__in=["senior_rep", "junior_rep"])
        assert 6 <= reps.count() <= 8
        assert all(20 <= rep.capacity <= 45 for rep in reps)
    owners = set(Lead.objects.exclude(owner=None).values_list("owner__team__name", flat=True))
    assert owners <= set(teams.values_list("name", flat=True))


def test_the_text_search_index_holds_the_generated_leads(generated):
    # given a fragment of a generated company name (the load drops the SQLite search
    # index's triggers and rebuilds the index after)
    from django.db import connection

    from loudou.leads.selectors import search_leads

    text = Lead.objects.order_by("id").first().company_name[2:6]
    # when
    found = set(search_leads(Lead.objects.all(), text).values_list("id", flat=True))
    # then
    names = Lead.objects.values_list("id", "company_name", "contact_name")
    assert found == {pk for pk, company, contact in names if text in company or text in contact}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            check = "INSERT INTO leads_lead_search(leads_lead_search, rank) VALUES (%s, 1)"
            cursor.execute(check, ["integrity-check"])
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'leads_lead_search_%'")
            names = {name for (name,) in cursor.fetchall()}
        triggers = {f"leads_lead_search_{verb}" for verb in ["insert", "update", "delete"]}
        assert triggers <= names
