"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task

from loudou.analytics.services.snapshot import take_snapshot


@task
def snapshot_director_targets() -> int | None:
    """Precompute the director's home targets, board and forecast (every ten minutes);
    returns the snapshot's id (None when no active user sees all)."""
    snapshot = take_snapshot()
    return None if snapshot is None else snapshot.pk
