from django.urls import path

from loudou.assignment import views

app_name = "assignment"
urlpatterns = [
    path("pools/", views.pools_page, name="pools"),
    path("leads/<id:pk>/claim/", views.claim_view, name="claim"),
    path("leads/<id:pk>/release/", views.release_view, name="release"),
    path("leads/<id:pk>/assign/", views.assign_view, name="assign"),
    path("handover/", views.handover_page, name="handover"),
    path("rules/", views.rules_page, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<id:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<id:pk>/deactivate/", views.rule_deactivate, name="rule_deactivate"),
    path("rules/<id:pk>/move/", views.rule_move, name="rule_move"),
    path("intake/", views.intake_policy_edit, name="intake"),
    path("pools/settings/", views.pool_settings_page, name="pool_settings"),
    path("pools/new/", views.pool_edit, name="pool_create"),
    path("pools/<id:pk>/edit/", views.pool_edit, name="pool_edit"),
    path("pools/<id:pk>/deactivate/", views.pool_deactivate, name="pool_deactivate"),
]
