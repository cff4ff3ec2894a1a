from django.urls import path
from django.views.generic import RedirectView

from loudou.teamwork.views import meetings, projects, tasks, training

app_name = "teamwork"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="teamwork:tasks"), name="home"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/export/", tasks.task_export, name="task_export"),
    path("tasks/new/", tasks.task_create, name="task_create"),
    path("tasks/<id:pk>/", tasks.task_detail, name="task"),
    path("tasks/<id:pk>/edit/", tasks.task_edit, name="task_edit"),
    path("tasks/<id:pk>/progress/", tasks.task_progress, name="task_progress"),
    path("tasks/<id:pk>/items/", tasks.task_item_add, name="task_item_add"),
    path(
        "tasks/<id:pk>/items/<id:item_pk>/toggle/", tasks.task_item_toggle, name="task_item_toggle"
    ),
    path("tasks/<id:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/<id:pk>/verify/", tasks.task_verify, name="task_verify"),
    path("tasks/<id:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
    path("grade-bands/", tasks.grade_bands, name="grade_bands"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<id:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<id:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<id:pk>/actions/", meetings.action_add, name="action_add"),
    path("actions/<id:pk>/done/", meetings.action_done, name="action_done"),
    path("actions/<id:pk>/reopen/", meetings.action_reopen, name="action_reopen"),
    path("training/", training.course_list, name="courses"),
    path("training/new/", training.course_create, name="course_create"),
    path("training/people/", training.people_results, name="training_people"),
    path("training/export/", training.training_export, name="training_export"),
    path("training/<id:pk>/", training.course_detail, name="course"),
    path("training/<id:pk>/edit/", training.course_edit, name="course_edit"),
    path("training/<id:pk>/attendees/", training.attendee_add, name="attendee_add"),
    path("training/<id:pk>/measure/", training.measure_results, name="course_measure"),
    path("records/<id:pk>/", training.record_edit, name="record"),
    path("projects/", projects.project_list, name="projects"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<id:pk>/", projects.project_detail, name="project"),
    path("projects/<id:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<id:pk>/baseline/", projects.project_baseline, name="project_baseline"),
    path("projects/<id:pk>/measure/", projects.project_measure, name="project_measure"),
    path(
        "projects/<id:pk>/reviews/<id:review_pk>/notes/",
        projects.review_notes,
        name="review_notes",
    ),
]
