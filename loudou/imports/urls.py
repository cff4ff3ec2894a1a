from django.urls import path

from loudou.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<id:job_id>/", views.job_detail, name="detail"),
    path("<id:job_id>/progress/", views.job_progress, name="progress"),
    path("<id:job_id>/run/", views.job_run, name="run"),
    path("<id:job_id>/resume/", views.job_resume, name="resume"),
    path("<id:job_id>/revert/", views.job_revert, name="revert"),
    path("<id:job_id>/rejected.csv", views.job_rejected, name="rejected"),
    path("export/", views.lead_export, name="export"),
]
