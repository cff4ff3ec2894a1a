"""Team work (SPEC §10): tasks with sub-items, review meetings with action items, training
evaluation, and process-optimisation projects with their baseline and monthly KPIs."""

from loudou.teamwork.models.common import DEFAULT_BANDS, within_years
from loudou.teamwork.models.meetings import ActionItem, ReviewMeeting
from loudou.teamwork.models.projects import ProcessProject, ProjectReview
from loudou.teamwork.models.tasks import GradeBands, Task, TaskItem
from loudou.teamwork.models.training import Course, TrainingRecord

__all__ = [
    "DEFAULT_BANDS",
    "ActionItem",
    "Course",
    "GradeBands",
    "ProcessProject",
    "ProjectReview",
    "ReviewMeeting",
    "Task",
    "TaskItem",
    "TrainingRecord",
    "within_years",
]
