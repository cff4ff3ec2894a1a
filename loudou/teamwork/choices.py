from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    VERIFIED = "verified", _("已验收")


class QualityGrade(models.TextChoices):
    """完成质量, by completion % of the target (bands in `GradeBands`)."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")


class Rollout(models.TextChoices):
    """Where a process-optimisation project stands (试点 → 全面推广)."""

    PLANNING = "planning", _("筹备中")
    PILOT = "pilot", _("试点中")
    ROLLING_OUT = "rolling_out", _("推广中")
    ROLLED_OUT = "rolled_out", _("已全面推广")
    STOPPED = "stopped", _("已终止")


#: While a project is in these states its KPIs are measured on the pilot team.
PILOT_PHASES = {Rollout.PLANNING, Rollout.PILOT}

#: The audit verbs of team work and how the pages name them.
EVENT_LABELS = {
    "teamwork.task_created": _("分配了任务"),
    "teamwork.task_changed": _("修改了任务"),
    "teamwork.task_item_added": _("添加了子项"),
    "teamwork.task_item_done": _("完成了子项"),
    "teamwork.task_item_undone": _("取消了子项完成"),
    "teamwork.task_done": _("标记了完成"),
    "teamwork.task_verified": _("验收了任务"),
    "teamwork.task_reopened": _("退回了任务"),
    "teamwork.meeting_created": _("记录了会议"),
    "teamwork.meeting_changed": _("修改了会议记录"),
    "teamwork.project_created": _("创建了项目"),
    "teamwork.project_changed": _("修改了项目"),
    "teamwork.project_baseline": _("测量了基线"),
}
