from django.urls import path

from loudou.compliance import views

app_name = "compliance"
urlpatterns = [
    path("subjects/", views.subjects, name="subjects"),
    path("subjects/export/", views.subject_export, name="subject_export"),
    path("subjects/erase/", views.subject_erase, name="subject_erase"),
]
