"""The worker's periodic schedule: each run of a periodic job is claimed once."""

from datetime import datetime, timedelta

from loudou.notifications.models import PeriodicJob


def claim_periodic_run(
    *, path: str, every: timedelta, now: datetime, worker_id: str, force: bool = False
) -> bool:
    """True when `worker_id` won the run of `path` that is due at `now` (or `force`d).

    Compare-and-set on `next_run_at`: of two workers reading the same due row, one
    UPDATE changes it and the other's finds the old value gone.
    """
    job, _ = PeriodicJob.objects.get_or_create(path=path, defaults={"next_run_at": now})
    if not force and job.next_run_at > now:
        return False
    won = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
        next_run_at=now + every, last_run_at=now, last_run_by=worker_id
    )
    return won == 1
