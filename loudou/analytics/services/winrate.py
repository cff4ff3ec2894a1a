"""Win rate (赢单率) = won / (won + lost) of the leads closed in a window, by source,
grade, region, product line, rep, team and customer type, beside the cohort conversion
of the same window (docs/domain/analytics.md).

A lead closed in the window is decided by its stage ledger:
- **won**: its first ledger row into a won stage is in the window (a deal, exactly as
  the targets count it: `targets.services.actuals`);
- **lost**: its last ledger row before the window's end moves it into a lost stage, is
  in the window, and it had not been won before the window's end (a lead lost, reopened
  and still open at the end is neither; a customer won earlier and lost later is not a
  loss of this window).
Each closed lead counts for the owner on that ledger row (else the lead's owner) and that
person's current team, and for the lead's source, grade, region, customer type and each
of its product lines, in every pipeline. The cohort conversion beside it is the
conversion table's (leads captured in the window, in the scope's pipeline, grouped by
their current owner).
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from loudou.analytics.services.conversion import conversions, group_label
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.stats import pct
from loudou.leads.models import Lead
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import StageChange
from loudou.targets.periods import bounds
from loudou.targets.services.actuals import lead_products

#: The dimensions, in the order shown.
BYS = ("source", "grade", "region", "product", "rep", "team", "customer_type")
CHUNK = 5000


@dataclass(frozen=True)
class Closed:
    """One lead closed in the window, keyed by every dimension."""

    lead_id: int
    won: bool
    owner_id: int | None
    team_id: int | None
    source_id: int | None
    grade: str
    region_id: int | None
    customer_type: str
    products: frozenset[int]

    def keys(self, by: str) -> list:
        if by == "product":
            return sorted(self.products) or [None]
        field = {
            "source": "source_id",
            "grade": "grade",
            "region": "region_id",
            "rep": "owner_id",
            "team": "team_id",
            "customer_type": "customer_type",
        }[by]
        return [getattr(self, field) or None]


def lost_rows(start, end) -> list[tuple]:
    """(lead, owner, owner's team, lead owner, lead owner's team, source, grade, region,
    customer type) of the leads lost in start..end (see the module's definition)."""
    low, high = bounds(start, end)
    later = StageChange.objects.filter(lead=OuterRef("lead"), at__lt=high).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
    )
    won_before = StageChange.objects.filter(
        lead=OuterRef("lead"), to_stage__kind=StageKind.WON, at__lt=high
    )
    rows = (
        StageChange.objects.filter(
            to_stage__kind=StageKind.LOST, at__gte=low, at__lt=high, lead__merged_into=None
        )
        .filter(~Exists(later), ~Exists(won_before))
        .order_by()
        .values_list(
            "lead_id",
            "owner_id",
            "owner__team_id",
            "lead__owner_id",
            "lead__owner__team_id",
            "lead__source_id",
            "lead__intent_grade",
            "lead__region_id",
            "lead__customer_type",
        )
    )
    return list(rows)


def _lead_fields(ids: list[int]) -> dict[int, tuple]:
    found = {}
    for i in range(0, len(ids), CHUNK):
        rows = Lead.objects.filter(pk__in=ids[i : i + CHUNK]).values_list(
            "pk", "source_id", "intent_grade"
        )
        found.update({pk: (source, grade) for pk, source, grade in rows})
    return found


def closed_leads(subject, ledger, start, end) -> list[Closed]:
    """The subject's leads won (its deals) or lost in start..end."""
    won = ledger.between(start, end)
    fields = _lead_fields([d.lead_id for d in won])
    closed = [
        Closed(
            d.lead_id,
            True,
            d.owner_id,
            d.team_id,
            *fields.get(d.lead_id, (None, "")),
            d.region_id,
            d.customer_type,
            d.products,
        )
        for d in won
    ]
    lost = []
    for lead, owner, team, lead_owner, lead_team, *rest in lost_rows(start, end):
        if owner is None:
            owner, team = lead_owner, lead_team
        if subject.holds(owner, team):
            lost.append((lead, owner, team, *rest))
    products = lead_products([row[0] for row in lost])
    for lead, owner, team, source, grade, region, ctype in lost:
        lines = frozenset(products.get(lead, ()))
        closed.append(Closed(lead, False, owner, team, source, grade, region, ctype, lines))
    return closed


def _counts(closed: list[Closed], by: str) -> dict:
    counts: dict = {}
    for lead in closed:
        for key in lead.keys(by):
            counts.setdefault(key, Counter())["won" if lead.won else "lost"] += 1
    return counts


def _row(key, label, won: int, lost: int, conversion_row: dict | None) -> dict:
    conversion_row = conversion_row or {}
    return {
        "key": key,
        "label": label,
        "won": won,
        "lost": lost,
        "closed": won + lost,
        "win_rate": pct(won, won + lost),
        "leads": conversion_row.get("leads", 0),
        "deals": conversion_row.get("deals", 0),
        "conversion_pct": conversion_row.get("rate"),
    }


def _table(by: str, closed: list[Closed], conversion_rows: list[dict]) -> list[dict]:
    counts = _counts(closed, by)
    by_key = {r["key"]: r for r in conversion_rows if r["key"] is not None}
    keys = {("none" if k is None else k) for k in counts} | set(by_key)
    labels = _labels(by, {k for k in keys if k != "none"}, by_key)
    rows = []
    for key in keys:
        count = counts.get(None if key == "none" else key, Counter())
        rows.append(_row(key, labels[key], count["won"], count["lost"], by_key.get(key)))
    rows.sort(key=lambda r: (-r["closed"], -r["leads"], r["label"]))
    total = next(r for r in conversion_rows if r["key"] is None)
    won = sum(lead.won for lead in closed)
    rows.append(_row(None, _("合计"), won, len(closed) - won, total))
    return rows


def _labels(by: str, keys: set, conversion_rows: dict) -> dict:
    from loudou.analytics.services.conversion import DIMENSIONS

    model = DIMENSIONS[by][1]
    models = {}
    if model is not None:
        models = {obj.pk: obj for obj in model.objects.filter(pk__in=list(keys))}
    labels = {key: group_label(by, key, models) for key in keys}
    labels["none"] = group_label(by, None, models)
    return labels


def win_rates(scope: Scope, subject, ledger) -> list[dict]:
    """One table per dimension: won, lost, win rate of the leads closed in the scope's
    period beside the leads, deals and conversion rate of its cohort."""
    from loudou.analytics.services.performance import dimension_labels

    closed = closed_leads(subject, ledger, scope.start, scope.end)
    tables = conversions(scope, BYS)
    labels = dimension_labels()
    return [{"by": by, "label": labels[by], "rows": _table(by, closed, tables[by])} for by in BYS]
