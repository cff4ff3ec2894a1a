"""Team group robots: administrators configure them (admin site and API alike)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from loudou.core.audit import diff, record, snapshot
from loudou.notifications.models import RobotConfig
from loudou.org.models import User

ROBOT_FIELDS = ["team", "team_id", "kind", "name", "webhook_url", "secret", "is_active"]
HIDDEN = "******"


def require_admin(actor: User) -> None:
    if not actor.is_org_admin:
        raise PermissionDenied


def _masked(changes: list[dict]) -> list[dict]:
    """The audit log records that a secret changed, never the secret."""
    for change in changes:
        if change["field"] == "secret":
            change["before"] = HIDDEN if change["before"] else ""
            change["after"] = HIDDEN if change["after"] else ""
    return changes


@transaction.atomic
def save_robot(*, actor: User, robot: RobotConfig | None, values: dict[str, Any]) -> RobotConfig:
    """Create (robot=None) or change a team robot. Leave "secret" out of `values` to keep it."""
    require_admin(actor)
    creating = robot is None
    robot = robot or RobotConfig()
    unknown = set(values) - set(ROBOT_FIELDS)
    if unknown:
        raise ValueError(f"not robot fields: {sorted(unknown)}")
    before = {} if creating else snapshot(robot, values)
    for name, value in values.items():
        setattr(robot, name, value)
    robot.full_clean()
    changes = _masked(diff(before, snapshot(robot, values)))
    if creating or changes:
        robot.save()
        verb = "robot_created" if creating else "robot_changed"
        record(obj=robot, actor=actor, verb=verb, changes=changes)
    return robot
