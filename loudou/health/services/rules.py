"""The nine exception rules (SPEC §7), each one or two set-based queries (GROUP BY,
EXISTS) or a reading of the shared pass over open leads (`findings.tally`)."""

from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from loudou.health.choices import Rule
from loudou.health.services.findings import (
    LEAD_CAP,
    Context,
    Finding,
    first_wins,
    gate_stage_ids,
    held_ids,
    id_list,
    lead_ids_for,
    ledger_per_rep,
    no_index,
    split_ids,
    tally,
    tally_ids,
    tally_sum,
)
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import Pipeline, Stage, StageChange

__all__ = ["RULES", "Context", "Finding", "tally"]


def off_funnel(ctx: Context) -> list[Finding]:
    """Reps with at least `off_funnel_min` signings in the window whose lead never passed
    an opportunity stage before the signing (体外签单)."""
    gates = gate_stage_ids(ctx.stages)
    passed = StageChange.objects.filter(
        lead=OuterRef("lead"), to_stage_id__in=gates, at__lte=OuterRef("at")
    )
    rows = first_wins(ctx).filter(~Exists(passed))
    flagged = {r: n for r, n in ledger_per_rep(rows).items() if n >= ctx.t.off_funnel_min}
    leads = lead_ids_for(rows, flagged, "owner_id", "lead_id")
    return [
        Finding(
            Rule.OFF_FUNNEL,
            rep,
            ctx.team_of(rep),
            lead_ids=leads[rep],
            lead_count=n,
            metrics={"deals": n, "threshold": ctx.t.off_funnel_min},
        )
        for rep, n in flagged.items()
    ]


def many_opportunities(ctx: Context) -> list[Finding]:
    """Reps holding at least `many_opportunities_min` leads in an opportunity stage who
    signed at most `few_signings_max` deals in the window (商机多签约少)."""
    gates = set(gate_stage_ids(ctx.stages))
    held = tally_sum(ctx, "n", lambda stage: stage in gates)
    many = {r: n for r, n in held.items() if n >= ctx.t.many_opportunities_min}
    if not many:
        return []
    signed = ledger_per_rep(first_wins(ctx).filter(owner_id__in=list(many)))
    few = {r: n for r, n in many.items() if signed.get(r, 0) <= ctx.t.few_signings_max}
    held = held_ids(ctx, [(rep, gate) for rep in few for gate in gates])
    return [
        Finding(
            Rule.MANY_OPPORTUNITIES,
            rep,
            ctx.team_of(rep),
            lead_ids=sorted(pk for gate in gates for pk in held[(rep, gate)])[:LEAD_CAP],
            lead_count=n,
            metrics={
                "opportunities": n,
                "signings": signed.get(rep, 0),
                "opportunities_min": ctx.t.many_opportunities_min,
                "signings_max": ctx.t.few_signings_max,
            },
        )
        for rep, n in few.items()
    ]


def _rated_stages(ctx: Context) -> dict[int, Stage]:
    return {
        pk: s
        for pk, s in ctx.stages.items()
        if s.kind == StageKind.OPEN and s.ideal_move_rate is not None
    }


def _later_stages(ctx: Context, rated: dict[int, Stage]) -> dict[int, set[int]]:
    """{rated stage: the later stages of its pipeline that are not lost ones}."""
    return {
        pk: {
            s.pk
            for s in ctx.stages.values()
            if s.pipeline_id == stage.pipeline_id and s.order > stage.order and s.kind != "lost"
        }
        for pk, stage in rated.items()
    }


def low_move_rate(ctx: Context) -> list[Finding]:
    """Per rep and stage, over the ledger rows of the window (one pass, grouped by the
    owner recorded on each row): of the entries into the stage (at least `min_sample`),
    the share matched by moves out of it to a later, not lost, stage is below
    `move_rate_ratio` % of the stage's ideal move rate (移动率低). A flow rate: a lead
    that entered before the window and moved on inside it counts as moved (capped at 100 %).

    The pass counts rows per (owner, from, to) on the covering (at, owner, from_stage,
    to_stage, lead) index; entries and forward moves are summed from those counts here.
    """
    rated = _rated_stages(ctx)
    if not rated:
        return []
    later = _later_stages(ctx, rated)
    window = ctx.ledger().filter(at__gte=ctx.start, at__lt=ctx.now)
    entered: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    moved: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    moves = window.values_list("owner_id", "from_stage_id", "to_stage_id").annotate(n=Count("*"))
    for rep, from_stage, to_stage, n in moves:
        if to_stage in rated:
            entered[rep][to_stage] += n
        if from_stage in rated and to_stage in later[from_stage]:
            moved[rep][from_stage] += n
    findings = []
    for rep, counts in entered.items():
        for pk, stage in rated.items():
            n = counts.get(pk, 0)
            if n >= ctx.t.min_sample and (
                found := _rate_finding(ctx, rep, stage, n, min(moved[rep][pk], n))
            ):
                findings.append(found)
    _attach_stuck(findings, window.filter(to_stage_id__in=list(rated)))
    return findings


def _rate_finding(ctx: Context, rep: int, stage: Stage, n: int, moved: int) -> Finding | None:
    ideal = float(stage.ideal_move_rate)
    rate = round(moved * 100 / n, 1)
    limit = round(ideal * ctx.t.move_rate_ratio / 100, 1)
    if rate >= limit:
        return None
    metrics = {"entered": n, "moved": moved, "rate": rate, "ideal": ideal, "limit": limit}
    return Finding(Rule.LOW_MOVE_RATE, rep, ctx.team_of(rep), stage_id=stage.pk, metrics=metrics)


def _attach_stuck(findings: list[Finding], entries: QuerySet) -> None:
    """The leads behind a low move rate: those of the cohort still in the stage."""
    if not findings:
        return
    stuck: dict[tuple[int, int], set[int]] = defaultdict(set)
    rows = entries.filter(
        owner_id__in={f.rep_id for f in findings},
        to_stage_id__in={f.stage_id for f in findings},
        lead__stage_id=F("to_stage_id"),
    ).values_list("owner_id", "to_stage_id", "lead_id")
    for rep, stage_id, lead in rows:
        stuck[(rep, stage_id)].add(lead)
    for finding in findings:
        ids = sorted(stuck[(finding.rep_id, finding.stage_id)])
        finding.lead_ids, finding.lead_count = ids[:LEAD_CAP], len(ids)


def high_abandonment(ctx: Context) -> list[Finding]:
    """Reps owning at least `min_sample` leads captured in the window of which more than
    `abandon_rate_max` % are now in a lost stage (放弃率高). (The capture time bounds the
    cohort through its index; a lead is assigned when or after it is captured.)"""
    lost = ctx.ids(StageKind.LOST)
    cohort = ctx.leads().filter(captured_at__gte=ctx.start, captured_at__lt=ctx.now)
    is_lost = Q(stage_id__in=lost)
    rows = cohort.values(rep=no_index("owner_id")).annotate(
        n=Count("pk"), lost=Count("pk", filter=is_lost), lost_ids=id_list(is_lost)
    )
    flagged = {
        r["rep"]: (r["n"], r["lost"], split_ids(r["lost_ids"]))
        for r in rows
        if r["rep"] is not None
        and r["n"] >= ctx.t.min_sample
        and r["lost"] * 100 > ctx.t.abandon_rate_max * r["n"]
    }
    return [
        Finding(
            Rule.HIGH_ABANDONMENT,
            rep,
            ctx.team_of(rep),
            lead_ids=ids,
            lead_count=lost_n,
            metrics={
                "assigned": n,
                "abandoned": lost_n,
                "rate": round(lost_n * 100 / n, 1),
                "limit": ctx.t.abandon_rate_max,
            },
        )
        for rep, (n, lost_n, ids) in flagged.items()
    ]


def ideal_cycle_days(stages: dict[int, Stage], pipeline_id: int) -> int | None:
    """The sum of the ideal days of the pipeline's open stages; None when one is unset."""
    days = [
        s.ideal_days
        for s in stages.values()
        if s.pipeline_id == pipeline_id and s.kind == StageKind.OPEN
    ]
    if not days or any(d is None for d in days):
        return None
    return sum(days)


def long_cycle(ctx: Context) -> list[Finding]:
    """Reps with at least `cycle_min_deals` signings in the window whose average cycle
    (the lead's first ledger row to the signing) exceeds `cycle_ratio` % of the ideal
    cycle (the sum of the ideal days of the open stages) (周期长于理想)."""
    first = StageChange.objects.filter(lead=OuterRef("lead"), pipeline=OuterRef("pipeline"))
    rows = first_wins(ctx).values("lead_id", "pipeline_id", "at", "owner_id")
    rows = rows.annotate(started=Subquery(first.order_by("at").values("at")[:1]))
    per_rep: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for row in rows:  # the signings of the window only
        ideal = ideal_cycle_days(ctx.stages, row["pipeline_id"])
        if ideal is not None:
            days = (row["at"] - row["started"]).total_seconds() / 86400
            per_rep[row["owner_id"]].append((row["lead_id"], days, ideal))
    findings = [_cycle_finding(ctx, rep, deals) for rep, deals in per_rep.items()]
    return [f for f in findings if f is not None]


def _cycle_finding(ctx: Context, rep: int, deals: list) -> Finding | None:
    if len(deals) < ctx.t.cycle_min_deals:
        return None
    average = sum(d for _, d, _ in deals) / len(deals)
    ideal = sum(i for _, _, i in deals) / len(deals)
    limit = ideal * ctx.t.cycle_ratio / 100
    if average <= limit:
        return None
    slow = sorted({lead for lead, d, i in deals if d > i})
    return Finding(
        Rule.LONG_CYCLE,
        rep,
        ctx.team_of(rep),
        lead_ids=slow[:LEAD_CAP],
        lead_count=len(slow),
        metrics={
            "deals": len(deals),
            "average_days": round(average, 1),
            "ideal_days": round(ideal, 1),
            "limit_days": round(limit, 1),
        },
    )


def _lead_findings(ctx: Context, rule: str, measure: str, metrics: dict) -> list[Finding]:
    """One finding per rep with leads counted by `measure` in the tally, listing them."""
    open_stages = ctx.ids(StageKind.OPEN)
    return [
        Finding(
            rule,
            rep,
            ctx.team_of(rep),
            lead_ids=tally_ids(ctx, measure, rep, open_stages),
            lead_count=n,
            metrics={"leads": n, **metrics},
        )
        for rep, n in tally_sum(ctx, measure, lambda stage: True).items()
    ]


def no_follow_up(ctx: Context) -> list[Finding]:
    """Leads in an open stage assigned in the window more than `follow_up_hours` ago with
    no contact since the assignment (分配后未及时跟进); a follow-up clears them."""
    return _lead_findings(ctx, Rule.NO_FOLLOW_UP, "late", {"hours": ctx.t.follow_up_hours})


def no_progress(ctx: Context) -> list[Finding]:
    """Leads in an open stage with at least `no_progress_follow_ups` follow-ups since they
    entered it (多次跟进无进展). Only leads contacted since entering their stage are probed
    (does the N-th follow-up since entry exist? through the (lead, occurred_at) index)."""
    needed = ctx.t.no_progress_follow_ups
    return _lead_findings(ctx, Rule.NO_PROGRESS, "stuck", {"follow_ups": needed})


def stalled(ctx: Context) -> list[Finding]:
    """Leads in an open stage whose expected close date passed more than
    `stalled_grace_days` ago (商机逾期停滞)."""
    grace = ctx.t.stalled_grace_days
    return _lead_findings(ctx, Rule.STALLED, "overdue", {"grace_days": grace})


def count_off_ideal(ctx: Context) -> list[Finding]:
    """Per rep (senior and junior reps, active, not on leave) and stage of the default
    pipeline with an ideal count per rep: the leads they hold there are above
    `count_high_ratio` % or below `count_low_ratio` % of the ideal (阶段客户数偏离理想)."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    ideal = {
        pk: s.ideal_count_per_rep
        for pk, s in ctx.stages.items()
        if pipeline and s.pipeline_id == pipeline.pk and s.ideal_count_per_rep
    }
    reps = User.objects.filter(
        ctx.reps("pk"), is_active=True, on_leave=False, role__in=[Role.SENIOR_REP, Role.JUNIOR_REP]
    ).values_list("pk", flat=True)
    counts = {key: row["n"] for key, row in tally(ctx).items()}
    findings = []
    for rep in reps:
        for stage_id, count_ideal in ideal.items():
            finding = _count_finding(
                ctx, rep, stage_id, count_ideal, counts.get((rep, stage_id), 0)
            )
            if finding:
                findings.append(finding)
    for finding in findings:
        if finding.metrics["direction"] == "above":
            finding.lead_ids = tally_ids(ctx, "n", finding.rep_id, [finding.stage_id])
    return findings


def _count_finding(ctx: Context, rep: int, stage_id: int, ideal: int, count: int):
    high, low = ideal * ctx.t.count_high_ratio / 100, ideal * ctx.t.count_low_ratio / 100
    if low <= count <= high:
        return None
    direction = "above" if count > high else "below"
    return Finding(
        Rule.COUNT_OFF_IDEAL,
        rep,
        ctx.team_of(rep),
        stage_id=stage_id,
        lead_count=count,
        metrics={"count": count, "ideal": ideal, "direction": direction, "high": high, "low": low},
    )


RULES: dict[str, Callable[[Context], list[Finding]]] = {
    Rule.OFF_FUNNEL: off_funnel,
    Rule.MANY_OPPORTUNITIES: many_opportunities,
    Rule.LOW_MOVE_RATE: low_move_rate,
    Rule.HIGH_ABANDONMENT: high_abandonment,
    Rule.LONG_CYCLE: long_cycle,
    Rule.NO_FOLLOW_UP: no_follow_up,
    Rule.NO_PROGRESS: no_progress,
    Rule.STALLED: stalled,
    Rule.COUNT_OFF_IDEAL: count_off_ideal,
}
