"""Conversion analysis (转化分析表) by source, grade, region, industry, team, rep, product
line or customer type.

Definitions (docs/domain/analytics.md): the leads are the scope's cohort in the pipeline
(captured in the period); a deal is a lead that reached a won stage (at any time up to
now); the conversion cycle runs from capture to the first entry into a won stage.
Win factors come from the won ledger rows, loss factors from the lost reasons of the
lost rows of the same leads.
"""

import statistics
from collections import Counter, defaultdict

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from loudou.analytics.services.scope import Scope
from loudou.analytics.services.stats import US_PER_DAY, pct
from loudou.leads.choices import CustomerType, Grade
from loudou.leads.models import SourceChannel
from loudou.org.models import Industry, ProductLine, Region, Team, User
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import LostReason, Stage, StageChange, WinFactor

#: dimension → (lead field grouped by, label source, lead-list filter name)
DIMENSIONS = {
    "source": ("source_id", SourceChannel, "source"),
    "grade": ("intent_grade", None, "intent_grade"),
    "region": ("region_id", Region, "region"),
    "industry": ("industry_id", Industry, "industry"),
    "team": ("owner__team_id", Team, "team"),
    "rep": ("owner_id", User, "owner"),
    "product": ("products", ProductLine, None),
    "customer_type": ("customer_type", None, None),
}
#: Rules for suggested actions (SPEC §8), editable here in one place.
LOW_HIGH_INTENT_RATE = 20.0  # % below which high-intent conversion is "low"
MANY_LEADS_SHARE = 0.2  # a group with at least this share of all leads is "many"
LONG_CYCLE_FACTOR = 1.2  # median cycle this many times the overall median is "long"
TOP_FACTORS = 3


def group_label(by: str, key, models: dict, default=None) -> str:
    """A group's name in the active language: "not filled", the grade, or the record
    among `models` (else `default`, else the key)."""
    if key is None:
        return _("未填写")
    if by == "grade" and key in Grade.values:
        return str(Grade(key).label)
    if by == "customer_type" and key in CustomerType.values:
        return str(CustomerType(key).label)
    return str(models.get(key, key if default is None else default))


def _labels(by: str, keys: set) -> dict:
    model = DIMENSIONS[by][1]
    if model is None:
        return {}
    return {obj.pk: obj for obj in model.objects.filter(pk__in=[k for k in keys if k])}


def _keys(fields: tuple[str, ...]) -> dict:
    return {f"k{i}": F(field) for i, field in enumerate(fields)}


def _counts(scope: Scope, fields: tuple[str, ...]) -> list[dict]:
    """Leads and deals per combination of `fields` (one grouped query for them all)."""
    rows = (
        scope.pipeline_cohort()
        .order_by()
        .values(**_keys(fields))
        .annotate(
            leads=Count("pk"),
            deals=Count("pk", filter=Q(progress__won_at__isnull=False)),
        )
    )
    return list(rows)


def _deals(scope: Scope, fields: tuple[str, ...]) -> list[tuple]:
    """(keys…, cycle days, win factor ids) of every deal (few compared with the leads),
    from its won ledger rows (a reopened lead may have several: their factors join)."""
    won_ids = list(Stage.objects.filter(kind=StageKind.WON).values_list("pk", flat=True))
    # only the leads the projection says were won have won ledger rows: the cohort is
    # narrowed through LeadProgress before any ledger row is read
    rows = (
        StageChange.objects.filter(scope.lead_q(cohort=True), to_stage_id__in=won_ids)
        .filter(lead__progress__won_at__isnull=False)
        .order_by()  # the ledger's default (at, id) order is a sort nobody needs here
        .values_list(
            "lead_id", *(f"lead__{f}" for f in fields), "lead__progress__cycle_us", "win_factors"
        )
    )
    # one entry per lead and combination (a lead may sit in several product lines)
    per_lead: dict[tuple, set] = defaultdict(set)
    for lead_id, *values, cycle, factors in rows:
        per_lead[(lead_id, *values, cycle / US_PER_DAY)].update(factors or [])
    return [(*key[1:], factors) for key, factors in per_lead.items()]


def _losses(scope: Scope, fields: tuple[str, ...]) -> list[tuple]:
    """(keys…, lost reason id, leads): the distinct leads per combination and reason."""
    rows = (
        StageChange.objects.filter(scope.lead_q(cohort=True), lost_reason__isnull=False)
        .filter(lead__progress__lost_at__isnull=False)  # narrowed as the deals are
        .order_by()
        .values_list(*(f"lead__{f}" for f in fields), "lost_reason_id")
        .annotate(n=Count("lead_id", distinct=True))
    )
    return list(rows)


class _Figures:
    """The grouped figures of several dimensions, read once: a lead has one value per
    dimension (not products), so each dimension's groups are sums over the combinations
    (distinct leads per reason too: the combinations split the leads)."""

    def __init__(self, scope: Scope, fields: tuple[str, ...]):
        self.fields = fields
        self.counts = _counts(scope, fields)
        self.deals = _deals(scope, fields)
        self.losses = _losses(scope, fields)

    def of(self, field: str) -> tuple[list[dict], dict, dict, dict]:
        """(counts, {key: [cycle days]}, {key: Counter(win)}, {key: Counter(loss)}) per
        value of `field`."""
        i = self.fields.index(field)
        counts: dict = defaultdict(lambda: {"leads": 0, "deals": 0})
        for row in self.counts:
            group = counts[row[f"k{i}"]]
            group["leads"] += row["leads"]
            group["deals"] += row["deals"]
        cycles, wins, losses = defaultdict(list), defaultdict(Counter), defaultdict(Counter)
        for *keys, cycle, factors in self.deals:
            cycles[keys[i]].append(cycle)
            wins[keys[i]].update(factors)
        for *keys, reason, n in self.losses:
            losses[keys[i]][reason] += n
        rows = [{"key": key, **group} for key, group in counts.items()]
        return rows, cycles, wins, losses


def _figures(scope: Scope, fields: tuple[str, ...]):
    """The grouped figures, from the company aggregates when they hold them (ADR 0017)."""
    from loudou.analytics.services import aggregates

    if aggregates.answers(scope) and all(field in aggregates.KINDS for field in fields):
        return aggregates.KeptFigures(scope, fields)
    return _Figures(scope, fields)


def _named(counter: Counter, names: dict) -> list[tuple[str, int]]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_FACTORS]
    return [(names.get(pk, str(pk)), n) for pk, n in ranked]


def _row(key, label, leads, deals, cycles, wins, losses, names) -> dict:
    return {
        "key": key,
        "label": label,
        "leads": leads,
        "deals": deals,
        "rate": pct(deals, leads),
        "avg_cycle_days": round(statistics.fmean(cycles), 2) if cycles else None,
        "median_cycle_days": round(statistics.median(cycles), 2) if cycles else None,
        "win_factors": _named(wins, names["win"]),
        "loss_factors": _named(losses, names["loss"]),
        "actions": [],
    }


def conversions(scope: Scope, bys: tuple[str, ...]) -> dict[str, list[dict]]:
    """`conversion` for several dimensions, with the figures read once for all of them
    (products, where a lead may sit in several groups, are read on their own)."""
    for by in bys:
        if by not in DIMENSIONS:
            from django.core.exceptions import ValidationError

            raise ValidationError({"by": _("不支持的分析维度。")})
    names = {
        "win": {f.pk: str(f) for f in WinFactor.objects.all()},
        "loss": {r.pk: str(r) for r in LostReason.objects.all()},
    }
    single = tuple(DIMENSIONS[by][0] for by in bys if by != "product")
    from loudou.analytics.services.aggregates import sharing_deals

    with sharing_deals():  # the kept figures read the deals once for every table
        shared = _figures(scope, single) if single else None
        result = {}
        for by in bys:
            field = DIMENSIONS[by][0]
            figures = _figures(scope, (field,)) if by == "product" else shared
            result[by] = _table(scope, by, *figures.of(field), names)
    return result


def conversion(scope: Scope, by: str = "source") -> list[dict]:
    """One row per value of `by` (most leads first), then the total row (key None)."""
    return conversions(scope, (by,))[by]


def _table(scope: Scope, by: str, counts, cycles, wins, losses, names) -> list[dict]:
    models = _labels(by, {row["key"] for row in counts})
    rows = []
    for row in sorted(counts, key=lambda r: (-r["leads"], str(r["key"]))):
        key = row["key"]
        rows.append(
            _row(
                "none" if key is None else key,
                group_label(by, key, models),
                row["leads"],
                row["deals"],
                cycles.get(key, []),
                wins.get(key, Counter()),
                losses.get(key, Counter()),
                names,
            )
        )
        name = DIMENSIONS[by][2]
        rows[-1]["drill"] = scope.lead_list_query(**({name: key} if name else {}))
    total = (
        _total(scope, names) if by == "product" else _sum_rows(counts, cycles, wins, losses, names)
    )
    total["drill"] = scope.lead_list_query()
    for row in rows:
        row["actions"] = suggested_actions(by, row, total)
    rows.append(total)
    return rows


def _sum_rows(counts, cycles, wins, losses, names) -> dict:
    return _row(
        None,
        _("合计"),
        sum(r["leads"] for r in counts),
        sum(r["deals"] for r in counts),
        [c for values in cycles.values() for c in values],
        sum(wins.values(), Counter()),
        sum(losses.values(), Counter()),
        names,
    )


def _total(scope: Scope, names: dict) -> dict:
    """The total over a dimension where a lead may sit in several groups (product lines):
    grouped by the pipeline, which is one group for the whole cohort."""
    return _sum_rows(*_figures(scope, ("pipeline_id",)).of("pipeline_id"), names)


def suggested_actions(by: str, row: dict, total: dict) -> list[str]:
    """Rules from SPEC §8 applied to one row against the total."""
    actions = []
    if by == "grade" and row["key"] == Grade.A and _below(row["rate"], LOW_HIGH_INTENT_RATE):
        actions.append(_("高意向线索转化率低：检查响应速度和方案匹配度。"))
    many = total["leads"] and row["leads"] >= total["leads"] * MANY_LEADS_SHARE
    if by == "source" and many and _below(row["rate"], total["rate"]):
        actions.append(_("该来源线索多而转化低：收紧该来源的初步筛选标准。"))
    overall = total["median_cycle_days"]
    cycle = row["median_cycle_days"]
    if overall and cycle is not None and cycle > overall * LONG_CYCLE_FACTOR:
        actions.append(_("转化周期长：缩短跟进间隔。"))
    return actions


def _below(rate: float | None, threshold: float | None) -> bool:
    return rate is not None and threshold is not None and rate < threshold
