from django.urls import path

from loudou.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<id:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("<id:pk>/", views.lead_detail, name="detail"),
    path("<id:pk>/edit/", views.lead_edit, name="edit"),
    path("<id:pk>/grade/", views.lead_override_grade, name="override_grade"),
    path("<id:pk>/needs/", views.lead_assess_needs, name="assess_needs"),
    path("<id:pk>/merge/", views.lead_merge, name="merge"),
    path("<id:pk>/reveal/", views.lead_reveal, name="reveal"),
]
