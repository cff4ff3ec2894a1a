"""What the exception rules share: a finding, the context of one run, and the grouped
queries several rules read (the one pass over open leads, the window's signings).

Nothing here reads all leads into Python: grouped rows are per rep and stage, and lead
ids come back aggregated (StringAgg) or for flagged reps only (at most `LEAD_CAP`).
Lead rules count valid, unmerged leads and attribute them to their current owner;
ledger rules attribute a row to the owner recorded on it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    StringAgg,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from loudou.health.models import Thresholds
from loudou.health.services.thresholds import PolicyGroup
from loudou.leads.models import Lead
from loudou.org.models import Team
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import Stage, StageChange

#: At most this many lead ids are kept per finding (the count is kept whole).
LEAD_CAP = 200


@dataclass
class Finding:
    """A condition that holds now: `key` identifies it across sweeps."""

    rule: str
    rep_id: int
    team_id: int | None
    stage_id: int | None = None
    lead_ids: list[int] = field(default_factory=list)
    lead_count: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.rep_id}:{self.stage_id or ''}"


def no_index(name: str) -> ExpressionWrapper:
    """`name + 0`: the same value, but no index on it is used. At full-table scale a scan
    beats following a low-selectivity index (owner, stage, merged_into) row by row."""
    return ExpressionWrapper(F(name) + 0, output_field=IntegerField())


@dataclass
class Context:
    """One run of the rules for one group of teams sharing thresholds.

    Rows are attributed to reps through owner ids (lead.owner, or for ledger rules the
    owner recorded on the ledger row at that time), never through a join to users:
    `user_teams` maps every user to their team.
    """

    now: datetime
    group: PolicyGroup
    team: Team | None = None
    stages: dict[int, Stage] = field(default_factory=dict)
    user_teams: dict[int, int | None] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def t(self) -> Thresholds:
        return self.group.thresholds

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=self.t.window_days)

    def _users_in(self, team_ids: Iterable[int]) -> list[int]:
        wanted = set(team_ids)
        return sorted(u for u, t in self.user_teams.items() if t in wanted)

    def reps(self, path: str) -> Q:
        """The group's (and the swept team's) reps, by the owner id at `path`."""
        q = Q()
        if self.group.team_ids is not None:
            q &= Q(**{f"{path}__in": self._users_in(self.group.team_ids)})
        elif self.group.excluded:
            q &= ~Q(**{f"{path}__in": self._users_in(self.group.excluded)})
        if self.team is not None:
            q &= Q(**{f"{path}__in": self._users_in([self.team.pk])})
        return q

    def team_of(self, rep_id: int) -> int | None:
        return self.user_teams.get(rep_id)

    def leads(self) -> QuerySet[Lead]:
        """Valid, unmerged leads of the group's reps (filters that use no index)."""
        return (
            Lead.objects.filter(self.reps("owner_id"), ~Q(is_valid=False))
            .alias(merged=no_index("merged_into_id"))
            .filter(merged__isnull=True)
            .order_by()
        )

    def ledger(self) -> QuerySet[StageChange]:
        return StageChange.objects.filter(self.reps("owner_id"), owner__isnull=False).order_by()

    def ids(self, kind: str) -> list[int]:
        return [pk for pk, stage in self.stages.items() if stage.kind == kind]


def load_stages() -> dict[int, Stage]:
    return {stage.pk: stage for stage in Stage.objects.select_related("pipeline")}


def gate_stage_ids(stages: dict[int, Stage]) -> list[int]:
    """The opportunity stages a proper deal passes (per pipeline: those marked 商机阶段, or
    failing that its last open stage)."""
    by_pipeline: dict[int, list[Stage]] = defaultdict(list)
    for stage in stages.values():
        by_pipeline[stage.pipeline_id].append(stage)
    gates = []
    for members in by_pipeline.values():
        marked = [s.pk for s in members if s.is_opportunity]
        open_stages = sorted(
            (s for s in members if s.kind == StageKind.OPEN), key=lambda s: s.order
        )
        if marked:
            gates += marked
        elif open_stages:
            gates.append(open_stages[-1].pk)
    return gates


def first_wins(ctx: Context) -> QuerySet[StageChange]:
    """Ledger rows where a lead entered a won stage from outside one, within the window;
    the rep is the owner recorded on the row (who signed)."""
    won = ctx.ids(StageKind.WON)
    return (
        ctx.ledger()
        .filter(to_stage_id__in=won, at__gte=ctx.start, at__lt=ctx.now)
        .filter(Q(from_stage__isnull=True) | ~Q(from_stage_id__in=won))
    )


def lead_ids_for(qs: QuerySet, reps: Iterable[int], rep_path: str, lead_path: str) -> dict:
    """{rep_id: [lead ids]} for the flagged reps only, at most LEAD_CAP each."""
    reps = list(reps)
    found: dict[int, list[int]] = defaultdict(list)
    if not reps:
        return found
    rows = qs.filter(**{f"{rep_path}__in": reps}).values_list(rep_path, lead_path)
    for rep_id, lead_id in rows.order_by(rep_path, lead_path).distinct():
        if len(found[rep_id]) < LEAD_CAP:
            found[rep_id].append(lead_id)
    return found


def ledger_per_rep(rows: QuerySet[StageChange]) -> dict[int, int]:
    """{owner id: distinct leads} of ledger rows."""
    counted = rows.values("owner_id").annotate(n=Count("lead_id", distinct=True))
    return {r["owner_id"]: r["n"] for r in counted}


def id_list(condition: Q | None) -> StringAgg:
    return StringAgg(Cast("pk", CharField()), Value(","), filter=condition)


def tally(ctx: Context) -> dict[tuple[int, int], dict[str, Any]]:
    """One pass over the leads in open stages (through the stage index), grouped by
    (owner, stage): n (held), late (assigned in the window more than the follow-up time
    ago, not contacted since), overdue (expected close date passed), stuck (the N-th
    follow-up since entering the stage exists: `Lead.stage_follow_ups`), each with the lead
    ids as a list."""
    if "tally" not in ctx.cache:
        today = timezone.localdate(ctx.now)
        late = Q(
            assigned_at__gte=ctx.start,
            assigned_at__lte=ctx.now - timedelta(hours=ctx.t.follow_up_hours),
        ) & (Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=F("assigned_at")))
        overdue = Q(expected_close_date__lt=today - timedelta(days=ctx.t.stalled_grace_days))
        # the lead's kept count of follow-ups since it entered the stage
        stuck = Q(stage_follow_ups__gte=ctx.t.no_progress_follow_ups)
        measures = {"late": late, "overdue": overdue, "stuck": stuck}
        # Each condition is written once (the id list); its count is the list's length,
        # so the follow-up probe of `stuck` runs once per lead, not twice.
        aggregates = {"n": Count("pk"), "n_ids": id_list(None)}
        for name, condition in measures.items():
            aggregates[f"{name}_ids"] = id_list(condition)
        rows = (
            ctx.leads()
            .filter(stage_id__in=ctx.ids(StageKind.OPEN))
            .values("stage_id", rep=no_index("owner_id"))
            .annotate(**aggregates)
        )
        found = {}
        for row in rows:
            if row["rep"] is not None:
                for name in measures:
                    row[name] = _listed(row[f"{name}_ids"])
                found[(row["rep"], row["stage_id"])] = row
        ctx.cache["tally"] = found
    return ctx.cache["tally"]


def _listed(text: str | None) -> int:
    """How many ids a StringAgg lists (none: NULL or empty)."""
    return text.count(",") + 1 if text else 0


def tally_sum(ctx: Context, measure: str, stage_ok: Callable[[int], bool]) -> dict[int, int]:
    """{rep: sum of `measure` over the stages `stage_ok` accepts} (non-zero only)."""
    totals: dict[int, int] = defaultdict(int)
    for (rep, stage), row in tally(ctx).items():
        if row[measure] and stage_ok(stage):
            totals[rep] += row[measure]
    return totals


def split_ids(text: str | None) -> list[int]:
    """A StringAgg of ids as a sorted list, at most LEAD_CAP."""
    return sorted(int(pk) for pk in (text or "").split(",") if pk)[:LEAD_CAP]


def tally_ids(ctx: Context, measure: str, rep: int, stages: Iterable[int]) -> list[int]:
    """The ids behind `measure` of `rep` at `stages` (at most LEAD_CAP, ascending)."""
    ids = []
    for stage in stages:
        ids += split_ids((tally(ctx).get((rep, stage)) or {}).get(f"{measure}_ids"))
    return sorted(ids)[:LEAD_CAP]


def held_ids(ctx: Context, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list]:
    """The leads each (rep, stage) pair holds (flagged pairs only; owner index)."""
    pairs = set(pairs)
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    if not pairs:
        return found
    rows = ctx.leads().filter(
        owner_id__in={rep for rep, _ in pairs}, stage_id__in={stage for _, stage in pairs}
    )
    for rep, stage, pk in rows.order_by("pk").values_list("owner_id", "stage_id", "pk"):
        if (rep, stage) in pairs and len(found[(rep, stage)]) < LEAD_CAP:
            found[(rep, stage)].append(pk)
    return found
