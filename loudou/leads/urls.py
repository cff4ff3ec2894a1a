from django.urls import path

from loudou.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/grade/", views.lead_override_grade, name="override_grade"),
    path("<int:pk>/needs/", views.lead_assess_needs, name="assess_needs"),
    path("<int:pk>/merge/", views.lead_merge, name="merge"),
]
