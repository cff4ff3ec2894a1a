"""Forecast (SPEC §8): the weighted pipeline, and a Monte Carlo forecast of the revenue a
scope closes within a period, from the organisation's own stage ledger (ADR 0014).

The model (semi-Markov, empirical, nothing assumed about shapes):
- A stay in an open stage ends after some days and goes to a next stage, or never ends.
  Both are read from the pipeline's stays entered in the LOOKBACK_DAYS before `now`,
  organisation-wide (a rep's own history is too thin for rates; rates reveal no lead).
  Stays still open at `now` are censored: Kaplan–Meier weights (Efron's
  "redistribute to the right") move their share onto the longer finished stays, and
  what is left beyond the longest finished stay is "stays put".
- A lead that has spent `age` days in its stage draws among the finished stays longer
  than `age` (and "stays put"), then goes on from the next stage at age 0, until it is
  won, lost, stays put or passes the period's end.
- Revenue: a lead counts once, when it first enters a won stage within the period, for
  its amount; a lead without an amount draws one from the deals won in the lookback.
- New leads: they arrive (Poisson) at the scope's pace of the last ARRIVAL_DAYS, from
  `now` to the period's end, and start in the first open stage.
- Two stages of Monte Carlo: each open lead's chance of closing in the period is
  simulated per (stage, day of age) with PATHS paths; then RUNS runs draw every lead's
  outcome (independent given the model) and the new leads' count, and sum the revenue.
The measured win probability of a stage is the chance of ever reaching a won stage from
it, solved from the same transitions (an absorbing Markov chain); "stays put" never wins.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.analytics.models import LeadProgress, StageStay
from loudou.analytics.projections import to_us
from loudou.analytics.services.scope import Scope
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import Stage

RUNS = 5000
SEED = 20261203
#: simulated paths per (stage, day of age) group; fewer when there are many groups
PATHS = 1000
#: bootstrap replicates of the history; the runs are split evenly over them
BOOTSTRAP = 50
PATH_BUDGET = 2_000_000
NEW_PATHS = 200_000
LOOKBACK_DAYS = 365
ARRIVAL_DAYS = 90
#: the most recent stays read per stage
MAX_STAYS = 20_000
MAX_STEPS = 50
#: how far ahead a period may end
MAX_AHEAD_DAYS = 366
PRESETS = ("this_month", "next_month", "this_quarter", "next_quarter")
WON, LOST, STUCK = -1, -2, -3
DAY_US = 86_400 * 1_000_000
CHUNK = 2_000_000


@dataclass
class Exits:
    """How stays in one stage end: the finished stays sorted by length in days, where
    each went (open stage index, WON or LOST), their cumulative Kaplan–Meier mass, and
    the mass left beyond the longest (`stuck`: the stay never ends)."""

    days: np.ndarray
    to: np.ndarray
    cum: np.ndarray
    stuck: float
    stays: int
    #: the stays it was estimated from (days, to, finished), for the bootstrap
    observed: tuple[np.ndarray, np.ndarray, np.ndarray]

    @classmethod
    def estimate(cls, days: np.ndarray, to: np.ndarray, finished: np.ndarray) -> "Exits":
        n, observed = len(days), (days, to, finished)
        if n == 0:
            return cls(np.empty(0), np.empty(0, dtype=int), np.empty(0), 1.0, 0, observed)
        order = np.lexsort((~finished, days))  # by length; finished before censored on ties
        days, to, finished = days[order], to[order], finished[order]
        at_risk = n - np.arange(n)
        survival = np.cumprod(np.where(finished, 1.0 - 1.0 / at_risk, 1.0))
        before = np.concatenate(([1.0], survival[:-1]))
        mass = np.where(finished, before / at_risk, 0.0)
        cum = np.cumsum(mass[finished])
        return cls(days[finished], to[finished], cum, float(survival[-1]), n, observed)

    def resample(self, rng: np.random.Generator) -> "Exits":
        """The estimate from a bootstrap sample of the same stays (the uncertainty of the
        rates themselves: a history of 40 stays says less than one of 4,000)."""
        if not self.stays:
            return self
        pick = rng.integers(0, self.stays, self.stays)
        return Exits.estimate(*(values[pick] for values in self.observed))

    def share_to(self, destination: int) -> float:
        """Probability (age 0) that a stay ends by going to `destination`."""
        if not len(self.days):
            return 0.0
        mass = np.diff(np.concatenate(([0.0], self.cum)))
        return float(mass[self.to == destination].sum())

    def draw(self, age: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """For stays already `age` days long: days left and where they go (STUCK: never)."""
        n = len(self.days)
        if n == 0:
            return np.full(len(age), np.inf), np.full(len(age), STUCK)
        k = np.searchsorted(self.days, age, side="right")  # finished stays longer than age
        done = np.where(k > 0, self.cum[np.maximum(k - 1, 0)], 0.0)
        left = self.cum[-1] + self.stuck - done
        pick = np.searchsorted(self.cum, done + rng.random(len(age)) * left, side="right")
        stuck = (pick >= n) | (left <= 1e-12)
        pick = np.minimum(np.maximum(pick, k), n - 1)  # never a stay shorter than age
        remaining = np.where(stuck, np.inf, self.days[pick] - age)
        return remaining, np.where(stuck, STUCK, self.to[pick])


def preset_period(name: str, today: date) -> tuple[date, date]:
    """this_month, next_month, this_quarter or next_quarter around `today`."""
    if name in ("this_month", "next_month"):
        first = date(today.year, today.month, 1)
        if name == "next_month":
            first = (first + timedelta(days=32)).replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    quarter = (today.month - 1) // 3
    if name == "next_quarter":
        quarter += 1
    first = date(today.year + quarter // 4, quarter % 4 * 3 + 1, 1)
    after = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def resolve_period(
    *, preset: str | None, start: date | None, end: date | None, today: date
) -> tuple[date, date, str]:
    """The forecast period asked for, and its preset ("custom" for dates): a preset wins
    over dates; dates alone are used (a missing one taken from this quarter); nothing at
    all means this quarter."""
    if preset in PRESETS:
        return (*preset_period(preset, today), preset)
    if start is None and end is None:
        return (*preset_period("this_quarter", today), "this_quarter")
    first, last = preset_period("this_quarter", today)
    return start or first, end or last, "custom"


def _stored_target(scope: Scope, start: date, end: date) -> Decimal | None:
    """The revenue target stored for the scope's subject (its rep, its team, the company
    for a director or admin, a manager's one team, a rep's own: the quota's choice,
    `quota.subject_q`) whose period is exactly [start, end], among the targets the viewer
    sees; None when there is none. A longer target (a year for a quarter) is not used:
    the forecast is of the revenue closed within the period only. Used when no
    `target_amount` is passed in."""
    from loudou.analytics.services.quota import subject_q
    from loudou.targets.choices import Metric
    from loudou.targets.selectors import visible_targets

    subject = subject_q(scope)
    if subject is None:
        return None
    target = (
        visible_targets(scope.viewer)
        .filter(subject, metric=Metric.REVENUE, start=start, end=end)
        .order_by("pk")
        .first()
    )
    return None if target is None else target.value


def _check(scope: Scope, now: datetime) -> None:
    if scope.end_at <= now:
        raise ValidationError({"end": _("预测期间须在今天或之后结束。")})
    if (scope.end - timezone.localdate(now)).days > MAX_AHEAD_DAYS:
        raise ValidationError({"end": _("预测期间最远到一年以后。")})


def forecast(
    scope: Scope,
    *,
    target_amount: Decimal | None = None,
    now: datetime | None = None,
    runs: int = RUNS,
    seed: int = SEED,
) -> dict:
    """The weighted pipeline of the scope's open leads and the forecast of the revenue
    closed in [scope.start, scope.end]: P10/P50/P90 and the probability of reaching the
    target (`target_amount`, else `_stored_target`). Data after `now` is never read, so a
    past `now` replays a past forecast (the backtest)."""
    now = now or timezone.now()
    _check(scope, now)
    stages = [s for s in scope.stages if s.kind == StageKind.OPEN]
    index = {s.pk: i for i, s in enumerate(stages)}
    exits = _exits(scope, now, stages, index)
    win = _win_probabilities(exits)
    leads = _open_leads(scope, now, index)
    won_amounts = _won_amounts(scope, now)
    target, target_source = _target(scope, target_amount)
    rng = np.random.default_rng(seed)
    simulation = _simulate_period(scope, now, exits, leads, won_amounts, runs, rng)
    totals = simulation.pop("_totals")
    return {
        "as_of": now,
        "start": scope.start,
        "end": scope.end,
        "weighted": _weighted(stages, leads, win),
        "simulation": simulation,
        "target": {
            "amount": target,
            "source": target_source,
            "probability": _reach(totals, target),
        },
        "history": {
            "since": (now - timedelta(days=LOOKBACK_DAYS)).date(),
            "stays": sum(e.stays for e in exits),
            "won_amounts": len(won_amounts),
        },
    }


def _target(scope: Scope, given: Decimal | None) -> tuple[float | None, str | None]:
    if given is not None:
        return float(given), "given"
    stored = _stored_target(scope, scope.start, scope.end)
    return (float(stored), "stored") if stored is not None else (None, None)


def _reach(totals: np.ndarray, target: float | None) -> float | None:
    """Share of the runs (%) whose revenue reaches the target."""
    if target is None:
        return None
    return round(float(np.mean(totals >= target)) * 100, 1)


# --- the history: how stays end ------------------------------------------------------


def _destination(stage_id: int | None, index: dict[int, int], kinds: dict[int, str]) -> int:
    if stage_id in index:
        return index[stage_id]
    return WON if kinds.get(stage_id) == StageKind.WON else LOST  # lost, or left the pipeline


def _exits(scope: Scope, now: datetime, stages: list[Stage], index: dict) -> list[Exits]:
    """Per open stage, the pipeline's stays entered in the lookback (the MAX_STAYS latest),
    cut at `now`: finished if the lead left before `now`, else censored."""
    kinds = {s.pk: s.kind for s in scope.stages}
    now_us = to_us(now)
    following = StageStay.objects.filter(lead=OuterRef("lead"), seq=OuterRef("seq") + 1)
    result = []
    for stage in stages:
        rows = list(
            StageStay.objects.filter(
                pipeline=scope.pipeline,
                stage=stage,
                entered_at__gte=now - timedelta(days=LOOKBACK_DAYS),
                entered_at__lt=now,
                lead__merged_into__isnull=True,
            )
            .order_by("-entered_at")
            .annotate(next_stage=Subquery(following.values("stage_id")[:1]))
            .values_list("entered_us", "left_us", "next_stage")[:MAX_STAYS]
        )
        entered = np.array([r[0] for r in rows], dtype=np.int64)
        left = np.array([now_us if r[1] is None else min(r[1], now_us) for r in rows], np.int64)
        finished = np.array([r[1] is not None and r[1] <= now_us for r in rows], dtype=bool)
        to = np.array([_destination(r[2], index, kinds) for r in rows], dtype=int)
        result.append(Exits.estimate((left - entered) / DAY_US, to, finished))
    return result


def _win_probabilities(exits: list[Exits]) -> list[float | None]:
    """P(ever won | in stage i), from x = P x + r over the open stages."""
    m = len(exits)
    if not m:
        return []
    moves = np.array([[e.share_to(j) for j in range(m)] for e in exits]).reshape(m, m)
    wins = np.array([e.share_to(WON) for e in exits])
    try:
        solved = np.linalg.solve(np.eye(m) - moves, wins)
    except np.linalg.LinAlgError:  # a loop nobody leaves: no finite answer
        return [None] * m
    return [
        None if e.stays == 0 else round(float(p), 4) for e, p in zip(exits, solved, strict=True)
    ]


# --- the scope's open leads at `now` ---------------------------------------------------


@dataclass
class OpenLeads:
    stage: np.ndarray
    age: np.ndarray
    amount: np.ndarray  # NaN without an amount
    probability: np.ndarray  # the lead's own %, else the stage's


def _open_leads(scope: Scope, now: datetime, index: dict[int, int]) -> OpenLeads:
    """The stay each scope lead was in at `now`, in an open stage, unless it had already
    been won once (its revenue counted then)."""
    stage_probability = {s.pk: s.probability for s in scope.stages}
    rows = (
        StageStay.objects.filter(
            scope.lead_q(), pipeline=scope.pipeline, stage__kind=StageKind.OPEN, entered_at__lt=now
        )
        .filter(Q(left_at__isnull=True) | Q(left_at__gt=now))
        .exclude(lead__progress__won_at__lt=now)
        .values_list("stage_id", "entered_us", "lead__amount", "lead__probability")
    )
    now_us, stage, age, amount, probability = to_us(now), [], [], [], []
    for stage_id, entered_us, lead_amount, lead_probability in rows:
        stage.append(index[stage_id])
        age.append((now_us - entered_us) / DAY_US)
        amount.append(math.nan if lead_amount is None else float(lead_amount))
        own = lead_probability if lead_probability is not None else stage_probability[stage_id]
        probability.append(own)
    return OpenLeads(
        np.array(stage, dtype=int), np.array(age), np.array(amount), np.array(probability)
    )


def _won_amounts(scope: Scope, now: datetime) -> np.ndarray:
    """Amounts of the pipeline's deals first won in the lookback (the latest MAX_STAYS)."""
    amounts = (
        LeadProgress.objects.filter(
            pipeline=scope.pipeline,
            won_at__gte=now - timedelta(days=LOOKBACK_DAYS),
            won_at__lt=now,
            lead__merged_into__isnull=True,
            lead__amount__isnull=False,
        )
        .order_by("-won_at")
        .values_list("lead__amount", flat=True)[:MAX_STAYS]
    )
    return np.array([float(a) for a in amounts])


def _weighted(stages: list[Stage], leads: OpenLeads, win: list[float | None]) -> dict:
    """Per open stage: open leads, those with an amount, the amount, × probability (the
    lead's own, else the stage's), and × the measured chance of being won from there."""
    rows = []
    for i, stage in enumerate(stages):
        here = leads.stage == i
        priced = here & ~np.isnan(leads.amount)
        amount = float(leads.amount[priced].sum())
        by_stage = float((leads.amount[priced] * leads.probability[priced] / 100).sum())
        rows.append(
            {
                "stage_id": stage.pk,
                "name": str(stage),
                "leads": int(here.sum()),
                "with_amount": int(priced.sum()),
                "amount": round(amount, 2),
                "stage_probability": stage.probability,
                "weighted": round(by_stage, 2),
                "won_probability": None if win[i] is None else round(win[i] * 100, 1),
                "weighted_measured": None if win[i] is None else round(amount * win[i], 2),
            }
        )
    measured = [r["weighted_measured"] for r in rows if r["weighted_measured"] is not None]
    return {
        "stages": rows,
        "leads": sum(r["leads"] for r in rows),
        "with_amount": sum(r["with_amount"] for r in rows),
        "amount": round(sum(r["amount"] for r in rows), 2),
        "weighted": round(sum(r["weighted"] for r in rows), 2),
        "weighted_measured": round(sum(measured), 2),
    }


# --- the simulation ------------------------------------------------------------------


def _paths(exits, stage, age, start, horizon, rng) -> np.ndarray:
    """Days from `now` at which each path first reaches a won stage (inf: not by
    `horizon`), from `stage` with `age` days spent, starting at day `start`."""
    stage, age, t = stage.copy(), age.astype(float).copy(), start.astype(float).copy()
    won = np.full(len(stage), np.inf)
    active = np.ones(len(stage), dtype=bool)
    for _step in range(MAX_STEPS):
        live = np.flatnonzero(active)
        if not live.size:
            break
        remaining, to = np.empty(live.size), np.empty(live.size, dtype=int)
        for s in np.unique(stage[live]):
            pick = stage[live] == s
            remaining[pick], to[pick] = exits[s].draw(age[live][pick], rng)
        t[live] += remaining
        won[live[to == WON]] = t[live[to == WON]]
        moving = to >= 0
        stage[live[moving]], age[live[moving]] = to[moving], 0.0
        active[live] = moving & (t[live] < horizon)
    return won


def _window(scope: Scope, now: datetime) -> tuple[float, float]:
    """The period as days from `now` (the start is 0 when the period has begun)."""
    low = max(0.0, (scope.start_at - now) / timedelta(days=1))
    return low, (scope.end_at - now) / timedelta(days=1)


def _lead_chances(exits, leads: OpenLeads, low: float, high: float, rng) -> np.ndarray:
    """Each open lead's chance of first being won in [low, high), simulated per (stage,
    whole days of age) group at the group's mean age (PATHS paths in all, split over the
    bootstrap replicates)."""
    if not len(leads.stage):
        return np.empty(0)
    keys = leads.stage * 100_000 + np.minimum(np.floor(leads.age), 99_999).astype(int)
    groups, inverse = np.unique(keys, return_inverse=True)
    paths = max(20, min(PATHS, PATH_BUDGET // len(groups)) // BOOTSTRAP)
    stage = np.repeat(groups // 100_000, paths)
    mean_age = np.bincount(inverse, weights=leads.age) / np.bincount(inverse)
    won = _paths(exits, stage, np.repeat(mean_age, paths), np.zeros(stage.size), high, rng)
    hit = ((won >= low) & (won < high)).reshape(len(groups), paths).mean(axis=1)
    return hit[inverse]


def _arrivals(scope: Scope, now: datetime) -> tuple[int, float]:
    """New leads that entered the scope's pipeline over the last ARRIVAL_DAYS (fewer days
    when its history is shorter), and those days."""
    since = now - timedelta(days=ARRIVAL_DAYS)
    progress = LeadProgress.objects.filter(scope.lead_q(), first_at__lt=now)
    found = progress.filter(first_at__gte=since).aggregate(n=Count("*"))["n"]
    if not found:
        return 0, float(ARRIVAL_DAYS)
    first = progress.order_by("first_at").values_list("first_at", flat=True).first()
    return found, max(1.0, min(ARRIVAL_DAYS, (now - first) / timedelta(days=1)))


def _closed_so_far(scope: Scope, now: datetime) -> tuple[int, float]:
    if now <= scope.start_at:
        return 0, 0.0
    got = LeadProgress.objects.filter(
        scope.lead_q(), won_at__gte=scope.start_at, won_at__lt=min(now, scope.end_at)
    ).aggregate(n=Count("*"), revenue=Sum("lead__amount"))
    return got["n"], float(got["revenue"] or 0)


def _replicate(exits, leads, won_amounts, arrivals, window, runs, rng) -> tuple:
    """`runs` runs under one bootstrap replicate of the history: the stays, the won
    amounts and the arrival rate (Gamma posterior of the count) drawn again."""
    low, high = window
    exits = [e.resample(rng) for e in exits]
    if won_amounts.size:
        won_amounts = rng.choice(won_amounts, size=won_amounts.size)
    found, days = arrivals
    rate = rng.gamma(found, 1.0) / days if found else 0.0
    chances = _lead_chances(exits, leads, low, high, rng)
    from_open, deals = _draw_leads(chances, leads.amount, won_amounts, runs, rng)
    from_new, new_deals, new_chance = _draw_new(exits, rate, low, high, won_amounts, runs, rng)
    return from_open, from_new, deals, new_deals, new_chance


def _simulate_period(scope, now, exits, leads, won_amounts, runs, rng) -> dict:
    window = _window(scope, now)
    closed_deals, closed_revenue = _closed_so_far(scope, now)
    arrivals = _arrivals(scope, now)
    shares = [runs // BOOTSTRAP + (b < runs % BOOTSTRAP) for b in range(BOOTSTRAP)]
    parts = [
        _replicate(exits, leads, won_amounts, arrivals, window, share, rng)
        for share in shares
        if share
    ]
    from_open, from_new, deals, new_deals = (
        np.concatenate([p[i] for p in parts]) for i in range(4)
    )
    new_chance = float(np.mean([p[4] for p in parts]))
    rate = arrivals[0] / arrivals[1]
    totals = closed_revenue + from_open + from_new
    p10, p50, p90 = (round(float(v), 2) for v in np.percentile(totals, [10, 50, 90]))
    return {
        "runs": runs,
        "closed_deals": closed_deals,
        "closed_revenue": round(closed_revenue, 2),
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "mean": round(float(totals.mean()), 2),
        "expected_deals": round(closed_deals + float((deals + new_deals).mean()), 1),
        "deals_open": round(float(deals.mean()), 1),
        "deals_new": round(float(new_deals.mean()), 1),
        "from_open": round(float(from_open.mean()), 2),
        "from_new": round(float(from_new.mean()), 2),
        "arrivals_per_day": round(rate, 2),
        "new_lead_chance": round(new_chance * 100, 2),
        "unpriced_leads": int(np.isnan(leads.amount).sum()),
        "density": _density(totals),
        "_totals": totals,
    }


def _draw_leads(chances, amounts, won_amounts, runs, rng) -> tuple[np.ndarray, np.ndarray]:
    """Revenue and deals per run from the open leads: each won with its chance, for its
    amount or, without one, an amount drawn from the won deals."""
    revenue, deals = np.zeros(runs), np.zeros(runs)
    live = np.flatnonzero(chances > 0)
    step = max(1, CHUNK // runs)
    for begin in range(0, live.size, step):
        part = live[begin : begin + step]
        hits = rng.random((runs, part.size)) < chances[part]
        deals += hits.sum(axis=1)
        priced = ~np.isnan(amounts[part])
        revenue += hits[:, priced] @ amounts[part][priced]
        if (~priced).any() and won_amounts.size:
            drawn = rng.choice(won_amounts, size=(runs, int((~priced).sum())))
            revenue += (hits[:, ~priced] * drawn).sum(axis=1)
    return revenue, deals


def _draw_new(exits, rate, low, high, won_amounts, runs, rng):
    """Revenue and deals per run from leads arriving between now and the period's end:
    Poisson(rate × days × the chance that an arrival is won within the period)."""
    if rate <= 0 or not exits or high <= 0:
        return np.zeros(runs), np.zeros(runs), 0.0
    paths = max(2_000, NEW_PATHS // BOOTSTRAP)
    start = rng.random(paths) * high
    won = _paths(exits, np.zeros(paths, dtype=int), np.zeros(paths), start, high, rng)
    chance = float(np.mean((won >= low) & (won < high)))
    counts = rng.poisson(rate * high * chance, size=runs)
    revenue = np.zeros(runs)
    if won_amounts.size and counts.sum():
        drawn = rng.choice(won_amounts, size=int(counts.sum()))
        revenue = np.bincount(np.repeat(np.arange(runs), counts), weights=drawn, minlength=runs)
    return revenue, counts.astype(float), chance


def _density(totals: np.ndarray, bins: int = 30) -> list[list[float]]:
    """[revenue at the bin's middle, share of runs %] for the chart."""
    if totals.max() == totals.min():
        return [[round(float(totals[0]), 2), 100.0]]
    counts, edges = np.histogram(totals, bins=bins)
    middles = (edges[:-1] + edges[1:]) / 2
    return [
        [round(float(m), 2), round(float(c) * 100 / len(totals), 2)]
        for m, c in zip(middles, counts, strict=True)
    ]
