"""The director's home targets, quarter board and quarter forecast, precomputed (ADR 0022).

They read a year of deals and run the forecast's Monte Carlo: tens of seconds at 1M
leads, too slow for a request. The worker computes them every SNAPSHOT_EVERY seconds
(`loudou.analytics.tasks.snapshot_director_targets`) into a `DirectorSnapshot`; the home
reads the latest one and shows when it was computed. Without any (a new installation, a
worker that never ran), the first request computes them once and stores them.

The figures are the same for every active viewer who sees all (a director, an
administrator): targets, leads and deals are all visible to them, and the forecast's
stored target is the company's. So one snapshot serves every director.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from loudou.analytics.models import DirectorSnapshot
from loudou.analytics.services.board import director_board
from loudou.analytics.services.forecast import forecast, preset_period
from loudou.analytics.services.scope import Scope
from loudou.org.choices import ALL_SEEING
from loudou.org.models import User

#: How often the worker computes a snapshot (seconds; settings.LOUDOU_PERIODIC_TASKS).
SNAPSHOT_EVERY = 600
#: Snapshots older than this (and not the latest) are deleted when a new one is stored.
SNAPSHOT_KEPT = timedelta(days=1)


def _quarter_forecast(user: User, now: datetime) -> dict:
    """This quarter's company forecast (P10/P50/P90) and its chance of reaching the stored
    revenue target of the quarter: the forecast page's figures for the same moment."""
    start, end = preset_period("this_quarter", timezone.localdate(now))
    result = forecast(Scope.build(user, start=start, end=end), now=now)
    return {"start": start, "end": end, **result["simulation"], "target": result["target"]}


def director_figures(user: User, now: datetime) -> dict:
    """The targets with their completion, the quarter per region and product line, and
    the quarter's forecast, computed now (as `user` sees them)."""
    return {"board": director_board(user, now), "forecast": _quarter_forecast(user, now)}


def _company_viewer() -> User | None:
    """An active user who sees all, whose view the snapshot is (the same for all)."""
    sees_all = Q(is_superuser=True) | Q(role__in=ALL_SEEING)
    return User.objects.filter(sees_all, is_active=True).order_by("pk").first()


def store_snapshot(user: User, now: datetime) -> DirectorSnapshot:
    """Compute the figures as `user` (who sees all) sees them at `now`, store them and
    delete the snapshots older than SNAPSHOT_KEPT."""
    snapshot = DirectorSnapshot.objects.create(computed_at=now, figures=director_figures(user, now))
    DirectorSnapshot.objects.filter(computed_at__lt=now - SNAPSHOT_KEPT).exclude(
        pk=snapshot.pk
    ).delete()
    return snapshot


def take_snapshot(now: datetime | None = None) -> DirectorSnapshot | None:
    """The worker's run: a new snapshot, or None when no active user sees all."""
    viewer = _company_viewer()
    if viewer is None:
        return None
    return store_snapshot(viewer, now or timezone.now())


def latest_snapshot() -> DirectorSnapshot | None:
    return DirectorSnapshot.objects.order_by("-computed_at", "-pk").first()


def director_targets(user: User, now: datetime | None = None) -> dict:
    """The director's home figures from the latest snapshot, with `as_of` its time;
    without any, computed once now (as `user`, who sees all) and stored."""
    snapshot = latest_snapshot() or store_snapshot(user, now or timezone.now())
    return {**snapshot.figures, "as_of": snapshot.computed_at}
