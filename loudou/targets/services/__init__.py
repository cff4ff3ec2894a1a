"""Every write of the targets app (targets, plans, milestone reminders) and the actuals."""

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
from loudou.targets.services.reminders import remind_due_milestones
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
    "complete_milestone",
    "create_plan",
    "create_target",
    "delete_milestone",
    "delete_plan",
    "delete_target",
    "remind_due_milestones",
    "reopen_milestone",
    "rollup",
    "rollups",
    "split_options",
    "split_plan",
    "split_target",
    "update_milestone",
    "update_plan",
    "update_target",
]
