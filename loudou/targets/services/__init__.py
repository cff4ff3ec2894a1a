"""Every write of the targets app (targets, plans, improvement actions, reminders) and
the actuals."""

from loudou.targets.services.actions import (
    complete_action,
    create_action,
    delete_action,
    reopen_action,
    update_action,
)
from loudou.targets.services.plans import (
    add_milestone,
    complete_milestone,
    create_plan,
    delete_milestone,
    delete_plan,
    reopen_milestone,
    update_milestone,
    update_plan,
)
from loudou.targets.services.reminders import remind_due_milestones, remind_overdue_actions
from loudou.targets.services.targets import (
    adjust_target,
    create_target,
    delete_target,
    rollup,
    rollups,
    split_options,
    split_plan,
    split_target,
    update_target,
)

__all__ = [
    "add_milestone",
    "adjust_target",
    "complete_action",
    "complete_milestone",
    "create_action",
    "create_plan",
    "create_target",
    "delete_action",
    "delete_milestone",
    "delete_plan",
    "delete_target",
    "remind_due_milestones",
    "remind_overdue_actions",
    "reopen_action",
    "reopen_milestone",
    "rollup",
    "rollups",
    "split_options",
    "split_plan",
    "split_target",
    "update_action",
    "update_milestone",
    "update_plan",
    "update_target",
]
