"""The company aggregates (ADR 0017) stay exact: after seeded random moves, re-opens,
losses, merges, regrades, owner, region and product changes, the kept rows equal a
from-scratch count from the ledger and a rebuild, and the company figures read from them
equal the row-reading services; team and rep scopes keep the row-reading path."""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import ProtectedError
from django.utils import timezone

from loudou.analytics import projections
from loudou.analytics.services import aggregates
from loudou.analytics.services.conversion import conversions
from loudou.analytics.services.dashboards import dashboard
from loudou.analytics.services.funnel import _cohort_counts, funnel, move_rates
from loudou.analytics.services.scope import Scope, local_midnight
from loudou.analytics.services.trends import monthly_trends
from loudou.analytics.tests import fixtures
from loudou.leads.models import Lead
from loudou.leads.services import update_lead
from loudou.leads.services.grading import override_grade
from loudou.leads.services.merge import merge_leads
from loudou.org.models import ProductLine, Region
from loudou.pipeline import metrics
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import LostReason, Pipeline, StageChange
from loudou.pipeline.services.opportunity import update_opportunity

NOW = fixtures.at(5, 20, 12)
PERIODS = [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 15), date(2026, 5, 20))]


def _from_ledger() -> dict[str, dict[tuple, int]]:
    """The tables counted from the ledger rows and the leads alone (no projection)."""
    found = {name: Counter() for name in aggregates.TABLES}
    rows = defaultdict(list)
    for change in StageChange.objects.select_related("to_stage").order_by("lead_id", "at", "id"):
        rows[change.lead_id].append(change)
    for lead in Lead.objects.filter(pk__in=rows, merged_into__isnull=True):
        changes = rows[lead.pk]
        pipeline, day, region = changes[0].pipeline_id, timezone.localdate(lead.captured_at), 0
        region = lead.region_id or 0
        kinds = [c.to_stage.kind for c in changes]
        orders = [c.to_stage.order for c in changes if c.to_stage.kind != StageKind.LOST]
        won, lost = StageKind.WON in kinds, StageKind.LOST in kinds
        current = changes[-1]
        found["stage"][
            (pipeline, day, current.to_stage_id, max(orders, default=0), won, lost, region)
        ] += 1
        spent = Counter()
        for change, after in zip(changes, changes[1:], strict=False):
            spent[change.to_stage_id] += (
                timezone.localdate(after.at) - timezone.localdate(change.at)
            ).days
        for stage_id, days in spent.items():
            if stage_id != current.to_stage_id:
                found["days"][(pipeline, day, stage_id, False, days)] += 1
        anchor = timezone.localdate(current.at).toordinal() - spent[current.to_stage_id]
        found["days"][(pipeline, day, current.to_stage_id, True, anchor)] += 1
        _entries_from_ledger(found["entries"], lead, changes)
        won_at = next((c.at for c in changes if c.to_stage.kind == StageKind.WON), None)
        if won_at is not None:
            cents = 0 if lead.amount is None else int(lead.amount * 100)
            found["won"][(lead.pipeline_id, timezone.localdate(won_at), cents)] += 1
        reasons = {c.lost_reason_id for c in changes if c.lost_reason_id}
        products = set(lead.products.values_list("pk", flat=True)) or {0}
        for kind, key in [("all", 0), ("region", region), *(("product", p) for p in products)]:
            found["group"][(pipeline, day, kind, key, 0, won)] += 1
            for reason in reasons:
                found["group"][(pipeline, day, kind, key, reason, False)] += 1
    return {name: dict(counts) for name, counts in found.items()}


def _day(change) -> int:
    return 0 if change is None else timezone.localdate(change.at).toordinal()


def _entries_from_ledger(found: Counter, lead, changes: list) -> None:
    """Each ledger row of the lead's pipeline as an entry: its local day, the local day of
    the lead's previous entry into that stage, and of its first later entry into a higher
    non-lost stage (0 for none)."""
    for i, change in enumerate(changes):
        if change.pipeline_id != lead.pipeline_id:
            continue
        stage = change.to_stage
        previous = next(
            (c for c in reversed(changes[:i]) if c.to_stage_id == change.to_stage_id), None
        )
        advanced = next(
            (
                c
                for c in changes[i + 1 :]
                if c.to_stage.kind != StageKind.LOST and c.to_stage.order > stage.order
            ),
            None,
        )
        day = timezone.localdate(change.at)
        found[(change.pipeline_id, day, stage.pk, _day(previous), _day(advanced))] += 1


def _stages():
    return list(Pipeline.objects.get(is_default=True).stages.order_by("order"))


def _random_history(seed: int, people: list) -> None:
    """Twenty leads captured February–April, then 120 random operations in time order."""
    rng = random.Random(seed)
    stages = _stages()
    reasons = list(LostReason.objects.all()[:2])
    regions = [Region.objects.create(name=f"测试区域{seed}-{i}") for i in range(2)]
    products = [ProductLine.objects.create(name=f"测试产品{seed}-{i}") for i in range(2)]
    leads = []
    for n in range(20):
        captured = fixtures.at(2 + rng.randrange(3), 1 + rng.randrange(27), rng.randrange(8, 22))
        leads.append(fixtures._lead(100 + n, rng.choice(people), captured))
    director = people[-1]
    clock = fixtures.at(5, 1)
    for _ in range(120):
        clock += timedelta(minutes=rng.randrange(1, 300))
        op = rng.choices(
            ["move", "merge", "regrade", "owner", "region", "products", "amount"],
            [10, 1, 2, 2, 2, 2, 3],
        )[0]
        live = [
            lead
            for lead in Lead.objects.filter(pk__in=[x.pk for x in leads])
            if lead.merged_into_id is None
        ]
        lead = rng.choice(live)
        with time_machine.travel(clock, tick=False):
            if op == "move" and lead.stage_id:
                target = rng.choice([s for s in stages if s.pk != lead.stage_id])
                when = max(clock - timedelta(days=rng.randrange(60)), lead.stage_entered_at)
                extra = {"lost_reason": rng.choice(reasons)} if target.kind == "lost" else {}
                # earlier moves are backdated into the periods, so days cross them
                fixtures._move(lead, target.code, when, **extra)
            elif op == "merge" and len(live) > 8:
                other = rng.choice([x for x in live if x.pk != lead.pk])
                merge_leads(survivor=lead, duplicate=other, actor=director)
            elif op == "regrade":
                override_grade(
                    lead=lead, actor=director, kind="intent", grade=rng.choice("ABC"), reason="复核"
                )
            elif op == "owner":
                update_lead(actor=director, lead=lead, values={}, owner=rng.choice(people[:-1]))
            elif op == "region":
                region = rng.choice([*regions, None])
                update_lead(actor=director, lead=lead, values={"region": region})
            elif op == "products":
                lead.products.set(rng.sample(products, rng.randrange(3)))
            elif op == "amount":  # before or after the lead is won; cents, or none
                amount = rng.choice([None, Decimal("0.10"), Decimal("1234.56"), Decimal(5000)])
                update_opportunity(lead=lead, actor=director, values={"amount": amount})


@pytest.fixture
def people(rep, teammate, other_team_rep, director):
    return [rep, teammate, other_team_rep, director]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_aggregates_equal_the_ledger_and_a_rebuild(people, seed):
    # given
    _random_history(seed, people)
    # when
    kept = aggregates.snapshot()
    # then
    assert kept == _from_ledger()
    assert kept["stage"]  # the history reached the tables
    projections.rebuild()
    assert aggregates.snapshot() == kept


def _slow(monkeypatch):
    monkeypatch.setattr(aggregates, "answers", lambda scope: False)


@pytest.mark.parametrize("seed", [5, 6])
def test_company_figures_from_the_aggregates_equal_the_row_reading_services(
    people, seed, monkeypatch
):
    # given
    _random_history(seed, people)
    director, deals = people[-1], 0
    for start, end in PERIODS:
        scope = Scope.build(director, start=start, end=end)
        assert aggregates.answers(scope)
        # when
        kept_counts = aggregates.cohort_counts(scope)
        kept_funnel = funnel(scope, now=NOW)
        kept_tables = conversions(scope, ("region", "product", "source"))
        kept_trends = monthly_trends(scope, months=4)
        with monkeypatch.context() as patch:
            _slow(patch)
            slow_funnel = funnel(scope, now=NOW)
            slow_tables = conversions(scope, ("region", "product", "source"))
            slow_trends = monthly_trends(scope, months=4)
        # then
        assert kept_counts == _cohort_counts(scope)
        assert kept_funnel == slow_funnel
        assert kept_tables == slow_tables
        assert kept_trends == slow_trends
        deals += sum(month["deals"] for month in kept_trends)
    assert deals  # the history won deals in the months compared


@pytest.mark.parametrize("seed", [11, 12])
def test_company_move_rates_from_the_entries_equal_the_ledger_metrics(people, seed):
    # given  moves, re-entries, losses and merges over February-May
    _random_history(seed, people)
    pipeline = Pipeline.objects.get(is_default=True)
    live = Lead.objects.filter(merged_into__isnull=True)
    entered = 0
    for start, end in [*PERIODS, (date(2026, 5, 3), date(2026, 5, 3))]:
        scope = Scope.build(people[-1], start=start, end=end)
        # when
        kept = move_rates(scope)
        # then  equal to the ledger's own definition over the leads that are not merged
        expected = metrics.move_rates(
            pipeline, live, local_midnight(start), local_midnight(end + timedelta(days=1))
        )
        assert [(row["entered"], row["moved_forward"], row["rate"]) for row in kept.values()] == [
            (row["entered"], row["moved_forward"], row["rate"]) for row in expected
        ]
        entered += sum(row["entered"] for row in kept.values())
    assert entered > 0  # the history reached the periods


def _calendar_days_from_ledger(scope) -> dict[int, list[int]]:
    """{stage: per cohort lead, its calendar days there up to NOW} from the ledger."""
    today = timezone.localdate(NOW)
    per_stage = defaultdict(list)
    for lead in scope.pipeline_cohort():
        changes = list(StageChange.objects.filter(lead=lead).order_by("at", "id"))
        spent = Counter()
        for change, after in zip(changes, [*changes[1:], None], strict=True):
            left = today if after is None else timezone.localdate(after.at)
            spent[change.to_stage_id] += (left - timezone.localdate(change.at)).days
        for stage_id, days in spent.items():
            per_stage[stage_id].append(days)
    return per_stage


def _percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return round(values[low] + (values[high] - values[low]) * (position - low), 2)


@pytest.mark.parametrize("seed", [7, 8])
def test_calendar_days_in_stage_equal_a_count_from_the_ledger(people, seed):
    # given
    _random_history(seed, people)
    for start, end in PERIODS:
        scope = Scope.build(people[-1], start=start, end=end)
        expected = _calendar_days_from_ledger(scope)
        # when
        result = funnel(scope, now=NOW, days="calendar")
        # then
        assert result["days_basis"] == "calendar"
        for row in result["stages"]:
            values = expected.get(row["stage_id"], [])
            assert (row["stay_leads"], row["median_days"], row["p75_days"]) == (
                len(values),
                _percentile(values, 0.5),
                _percentile(values, 0.75),
            )


def test_team_and_rep_scopes_keep_the_row_reading_path(people, manager, team_a):
    # given
    rep, director = people[0], people[-1]
    _random_history(9, people)
    scopes = [
        Scope.build(director, team=team_a),
        Scope.build(director, rep=rep),
        Scope.build(manager),
        Scope.build(rep),
    ]
    # when / then
    for scope in scopes:
        assert not aggregates.answers(scope)
        assert funnel(scope, now=NOW, days="calendar")["days_basis"] == "elapsed"


def test_the_histogram_quantile_interpolates_as_the_ledger_metrics():
    # 1, 2, 2, 5 → median 2, p75 2.75; empty → None
    assert aggregates.histogram_quantile([(1, 1), (2, 2), (5, 1)], 0.5) == 2
    assert aggregates.histogram_quantile([(1, 1), (2, 2), (5, 1)], 0.75) == 2.75
    assert aggregates.histogram_quantile([], 0.5) is None


def test_a_lead_with_a_ledger_cannot_be_deleted_so_its_counts_stay(people):
    # given
    _random_history(10, people)
    lead = Lead.objects.filter(merged_into__isnull=True, stage__isnull=False).first()
    kept = aggregates.snapshot()
    # when
    with pytest.raises(ProtectedError):
        lead.delete()
    # then
    assert aggregates.snapshot() == kept == _from_ledger()


def test_the_directors_home_reads_a_bounded_number_of_queries(
    rep, teammate, other_team_rep, director, django_assert_max_num_queries
):
    # given  the hand-built month (funnel, conversion by region and product, trends,
    # targets board, quarter forecast); the monthly trends are one UNION ALL query
    fixtures.build(rep, teammate, other_team_rep)
    # when / then  (79 before the aggregates and the one-query trends)
    with django_assert_max_num_queries(50):
        result = dashboard(director, fixtures.NOW)
    assert result["result"]["days_basis"] == "calendar"


def test_the_funnel_page_shows_the_companys_days_in_calendar_days_and_a_teams_elapsed(
    client, people, manager
):
    # given
    _random_history(11, people)
    director = people[-1]
    start, end = PERIODS[1]
    query = {"start": start.isoformat(), "end": end.isoformat(), "preset": "custom"}
    with time_machine.travel(NOW, tick=False):
        for user, basis in ((director, "calendar"), (manager, "elapsed")):
            client.force_login(user)
            # when
            response = client.get("/analytics/", query)
            # then: the page's days are the funnel's of that basis, and say so
            result = response.context["result"]
            assert response.status_code == 200
            assert result["days_basis"] == basis
            scope = Scope.build(user, start=start, end=end)
            expected = funnel(scope, now=NOW, days=basis)["stages"]
            assert [s["median_days"] for s in result["stages"]] == [
                s["median_days"] for s in expected
            ]
            caption = "停留天数按日历日计算" in response.content.decode()
            assert caption == (basis == "calendar")
            # and the API answers the same days
            body = client.get("/api/analytics/funnel", query).json()
            assert body["days_basis"] == basis
            assert [s["median_days"] for s in body["stages"]] == [
                s["median_days"] for s in expected
            ]
