"""The duplicate rule for the API and imports (查重规则): administrators set it."""

from django.db import transaction

from loudou.core import audit
from loudou.leads.models import DedupePolicy
from loudou.leads.services.grading import _require_admin
from loudou.org.models import User


@transaction.atomic
def save_dedupe_policy(*, actor: User, api_action: str, import_action: str) -> DedupePolicy:
    """warn = create and record the matches; block = refuse with the matches."""
    _require_admin(actor)
    policy = DedupePolicy.current()
    audit.save_with_audit(
        obj=policy,
        actor=actor,
        verb="dedupe_policy.updated",
        values={"api_action": api_action, "import_action": import_action},
    )
    return policy
