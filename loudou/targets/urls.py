from django.urls import path

from loudou.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.target_list, name="list"),
    path("export/", views.target_export, name="export"),
    path("new/", views.target_create, name="create"),
    path("<id:pk>/", views.target_detail, name="detail"),
    path("<id:pk>/edit/", views.target_edit, name="edit"),
    path("<id:pk>/adjust/", views.target_adjust, name="adjust"),
    path("<id:pk>/split/", views.target_split, name="split"),
    path("<id:pk>/delete/", views.target_delete, name="delete"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_form, name="plan_create"),
    path("plans/<id:pk>/", views.plan_detail, name="plan"),
    path("plans/<id:pk>/edit/", views.plan_form, name="plan_edit"),
    path("plans/<id:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<id:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("milestones/<id:pk>/done/", views.milestone_done, name="milestone_done"),
    path("milestones/<id:pk>/reopen/", views.milestone_reopen, name="milestone_reopen"),
    path("milestones/<id:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("actions/new/", views.action_add, name="action_add"),
    path("actions/<id:pk>/", views.action_detail, name="action"),
    path("actions/<id:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<id:pk>/done/", views.action_done, name="action_done"),
    path("actions/<id:pk>/reopen/", views.action_reopen, name="action_reopen"),
    path("actions/<id:pk>/delete/", views.action_delete, name="action_delete"),
]
