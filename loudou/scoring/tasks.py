"""Background entry points of the lead score; each one calls a service and nothing else."""

from django.tasks import task

from loudou.scoring.services import retrain_lead_score as retrain


@task
def retrain_lead_score() -> int | None:
    """Retrain on the won/lost history and rescore the open leads (daily). Returns the
    model version in use, or None when the history is too short."""
    model = retrain()
    return model.pk if model.is_usable else None
