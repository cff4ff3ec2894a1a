"""Background tasks of the web forms (django.tasks; run by `loudou worker`)."""

from django.tasks import task

from loudou.webforms import services


@task
def prune_spam() -> int:
    """Delete stored spam past its keeping period (daily)."""
    return services.prune_spam()
