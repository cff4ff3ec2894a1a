from django.urls import path

from loudou.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/progress/", views.job_progress, name="progress"),
    path("<int:job_id>/run/", views.job_run, name="run"),
    path("<int:job_id>/resume/", views.job_resume, name="resume"),
    path("<int:job_id>/revert/", views.job_revert, name="revert"),
    path("<int:job_id>/rejected.csv", views.job_rejected, name="rejected"),
    path("export/", views.lead_export, name="export"),
]
