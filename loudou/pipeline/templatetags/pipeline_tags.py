"""Template helpers of the pipeline: the lead page's stage panel and money amounts."""

from decimal import Decimal

from django import template
from django.utils import timezone

from loudou.core.links import pk_url
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.pipeline.board import Card
from loudou.pipeline.forms import MoveStageForm, OpportunityForm
from loudou.pipeline.selectors import lead_ledger, opportunity_started, win_factor_names

register = template.Library()

SYMBOLS = {"CNY": "¥", "USD": "US$", "EUR": "€", "HKD": "HK$", "JPY": "JP¥"}


@register.filter
def money(value: Decimal | None, currency: str = "CNY") -> str:
    """¥1,250,000 — whole units with thousands separators (cents are shown when present)."""
    if value is None:
        return "—"
    value = Decimal(value)
    amount = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{SYMBOLS.get(currency, currency + ' ')}{amount}"


@register.filter
def lead_url(card: "Card | Lead") -> str:
    """The lead page of a Kanban card: one reverse() for all the cards of a page."""
    return pk_url("leads:detail", card.pk)


@register.filter
def move_url(card: "Card | Lead") -> str:
    """`{% url 'pipeline:move' card.pk %}` for a page of cards."""
    return pk_url("pipeline:move", card.pk)


def _history(lead: Lead) -> list[dict]:
    rows = list(lead_ledger(lead))
    return [{"row": row, "win_factors": win_factor_names(row.win_factors)} for row in rows]


@register.simple_tag
def lead_stage_context(lead: Lead, user: User) -> dict:
    """What pipeline/_lead_stage.html shows for a lead the viewer already reached."""
    stage = lead.stage if lead.stage_id else None
    days = None
    if stage is not None and lead.stage_entered_at is not None:
        days = round((timezone.now() - lead.stage_entered_at).total_seconds() / 86400, 1)
    probability = (
        lead.probability if lead.probability is not None else getattr(stage, "probability", None)
    )
    shows_opportunity = opportunity_started(lead)
    return {
        "stage": stage,
        "days_in_stage": days,
        "overdue": bool(stage and stage.ideal_days and days and days > stage.ideal_days),
        "probability": probability,
        "move_form": MoveStageForm(lead=lead) if lead.is_valid else None,
        "history": _history(lead),
        "shows_opportunity": shows_opportunity,
        "opportunity_form": OpportunityForm(lead=lead) if shows_opportunity else None,
        "products": list(lead.products.all()) if shows_opportunity else [],
    }
