"""Team work in the admin site: to look up, not to edit (changes go through the pages and
the API, whose services check permissions and write the audit log)."""

from django.contrib import admin

from loudou.teamwork.models import (
    ActionItem,
    Course,
    GradeBands,
    ProcessProject,
    ProjectReview,
    ReviewMeeting,
    Task,
    TrainingRecord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "department", "planned_end", "status", "grade", "verifier"]
    list_filter = ["status", "grade"]
    search_fields = ["title"]


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(ReadOnlyAdmin):
    list_display = ["topic", "held_at", "team", "organiser"]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["what", "meeting", "owner", "department", "due_on", "status"]
    list_filter = ["status"]


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "held_on", "trainer", "team"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyAdmin):
    list_display = ["course", "person", "attended", "pre_score", "post_score"]


@admin.register(ProcessProject)
class ProcessProjectAdmin(ReadOnlyAdmin):
    list_display = ["title", "started_on", "team", "pilot_team", "rollout"]


@admin.register(ProjectReview)
class ProjectReviewAdmin(ReadOnlyAdmin):
    list_display = ["project", "month", "timeliness", "need_research"]


@admin.register(GradeBands)
class GradeBandsAdmin(ReadOnlyAdmin):
    list_display = ["excellent_above", "good_from", "pass_from", "updated_at"]
