"""Role dashboards on the home page (SPEC §11): what a rep, a manager and a director see
first. Everything comes from the scope-based figures, so visibility is the same as on the
analytics pages and in the API."""

from datetime import datetime

from django.utils import timezone

from loudou.analytics.services import charts
from loudou.analytics.services.conversion import conversion, conversions
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.process import first_response, not_followed_24h
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.trends import monthly_trends
from loudou.org.choices import Role
from loudou.org.models import User

RANKING_SIZE = 10
AGENDA_SHOWN = 5


def role_of(user: User) -> str:
    """Which dashboard: director (sees all), manager, or rep (everyone else)."""
    if user.sees_all:
        return "director"
    if user.role == Role.MANAGER:
        return "manager"
    return "rep"


def _agenda(user: User, now: datetime) -> dict:
    from loudou.activities.selectors import agenda_summary

    return agenda_summary(user, now, shown=AGENDA_SHOWN)


def rep_dashboard(user: User, now: datetime) -> dict:
    scope = Scope.build(user, rep=user if user.role != Role.MARKETING else None)
    result = funnel(scope, now=now)
    return {
        "agenda": _agenda(user, now),
        "result": result,
        "chart": charts.funnel_chart(result),
        "conversion": conversion(scope, by="source"),
        "scope": scope,
    }


def ranking(rows: list[dict]) -> list[dict]:
    """Reps by deals, then conversion rate (the total row left out)."""
    body = [r for r in rows if r["key"] is not None]
    return sorted(body, key=lambda r: (-r["deals"], -(r["rate"] or 0), r["label"]))[:RANKING_SIZE]


def manager_dashboard(user: User, now: datetime) -> dict:
    scope = Scope.build(user)
    result = funnel(scope, now=now)
    tables = conversions(scope, ("source", "rep"))
    return {
        "result": result,
        "chart": charts.funnel_chart(result),
        "conversion": tables["source"],
        "ranking": ranking(tables["rep"]),
        "sla": first_response(scope, now),
        "not_followed": not_followed_24h(scope, now),
        "agenda": _agenda(user, now),
        "scope": scope,
    }


def director_dashboard(user: User, now: datetime) -> dict:
    scope = Scope.build(user)
    # company figures from the kept aggregates, days in stage in calendar days (ADR 0017)
    result = funnel(scope, now=now, days="calendar")
    months = monthly_trends(scope, months=12)
    tables = conversions(scope, ("region", "product"))
    return {
        "result": result,
        "chart": charts.funnel_chart(result),
        "regions": tables["region"],
        "products": tables["product"],
        "months": months,
        "trend_chart": charts.trend_chart(months),
        "scope": scope,
    }


def dashboard(user: User, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    role = role_of(user)
    build = {"rep": rep_dashboard, "manager": manager_dashboard, "director": director_dashboard}
    return {"role": role, **build[role](user, now)}
