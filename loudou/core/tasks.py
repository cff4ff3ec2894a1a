"""Background upkeep of the database (django.tasks; run by `loudou worker`)."""

from django.tasks import task

from loudou.core.database import refresh_statistics


@task
def refresh_planner_statistics() -> None:
    """Gather the query planner's statistics again (daily)."""
    refresh_statistics()
