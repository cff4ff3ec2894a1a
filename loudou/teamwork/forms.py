"""UI input of the team-work pages; the invariants live in the models' clean()."""

from datetime import date, timedelta

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loudou.core.widgets import IsoDateInput, LocalDateTimeInput
from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.pipeline.models import Pipeline
from loudou.teamwork.models import (
    ActionItem,
    Course,
    GradeBands,
    ProcessProject,
    ReviewMeeting,
    Task,
    TrainingRecord,
)
from loudou.teamwork.selectors import managed_teams, people
from loudou.teamwork.services.grading import BAND_FIELDS
from loudou.teamwork.services.training import BEHAVIOUR_FIELDS

MONTHS_OFFERED = 24


def _people_fields(form, *names) -> None:
    for name in names:
        form.fields[name].queryset = people()


class TaskForm(forms.ModelForm):
    items = forms.CharField(
        label=_("子项"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个子项"),
    )

    class Meta:
        model = Task
        fields = [
            "title",
            "goal",
            "owner",
            "department",
            "verifier",
            "planned_start",
            "planned_end",
            "target_value",
            "unit",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "planned_start": IsoDateInput(),
            "planned_end": IsoDateInput(),
        }

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        _people_fields(self, "owner", "verifier")
        if not creating:
            del self.fields["items"]

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "items"}

    def item_texts(self) -> list[str]:
        text = self.cleaned_data.get("items") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class TaskProgressForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["achieved_value", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class TaskItemForm(forms.Form):
    text = forms.CharField(label=_("子项描述"), max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def team_choices(user: User):
    """The teams a meeting may be about: those `user` manages, and their own."""
    return Team.objects.filter(
        Q(pk__in=managed_teams(user).values("pk")) | Q(members=user)
    ).distinct()


class MeetingForm(forms.ModelForm):
    class Meta:
        model = ReviewMeeting
        fields = [
            "topic",
            "held_at",
            "team",
            "attendees",
            "other_attendees",
            "agenda",
            "discussion",
            "lessons",
            "decisions",
        ]
        widgets = {
            "held_at": LocalDateTimeInput(),
            "attendees": forms.SelectMultiple(attrs={"size": 8}),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in ("agenda", "discussion")},
            **{name: forms.Textarea(attrs={"rows": 3}) for name in ("lessons", "decisions")},
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _people_fields(self, "attendees")
        self.fields["team"].queryset = team_choices(user)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "attendees"}


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["what", "owner", "department", "due_on"]
        widgets = {"due_on": IsoDateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _people_fields(self, "owner")


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "trainer", "trainer_name", "held_on", "team", "description"]
        widgets = {"held_on": IsoDateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _people_fields(self, "trainer")
        teams = Team.objects.all() if user.role == Role.SUPPORT else managed_teams(user)
        self.fields["team"].queryset = teams


class AttendeeForm(forms.Form):
    person = forms.ModelChoiceField(label=_("学员"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people()


class RecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = [
            "attended",
            "participation",
            "pre_score",
            "post_score",
            "behaviour_rating",
            "behaviour_note",
        ]
        widgets = {"behaviour_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, behaviour_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if behaviour_only:
            for name in list(self.fields):
                if name not in BEHAVIOUR_FIELDS:
                    del self.fields[name]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = ProcessProject
        fields = [
            "title",
            "goal",
            "scope",
            "pipeline",
            "team",
            "pilot_team",
            "started_on",
            "rollout",
            "timeliness_target",
            "need_research_target",
        ]
        widgets = {
            "started_on": IsoDateInput(),
            "goal": forms.Textarea(attrs={"rows": 2}),
            "scope": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        teams = managed_teams(user)
        self.fields["team"].queryset = teams
        self.fields["pilot_team"].queryset = teams
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_active=True)


def recent_months(today: date, count: int = MONTHS_OFFERED) -> list[date]:
    """The first days of the last `count` months, this month first."""
    months, cursor = [], today.replace(day=1)
    for _i in range(count):
        months.append(cursor)
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    return months


class MeasureForm(forms.Form):
    month = forms.TypedChoiceField(label=_("月份"), choices=(), coerce=date.fromisoformat)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [
            (m.isoformat(), m.strftime("%Y-%m")) for m in recent_months(today)
        ]


class ReviewNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("复盘记录"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GradeBandsForm(forms.ModelForm):
    class Meta:
        model = GradeBands
        fields = list(BAND_FIELDS)
