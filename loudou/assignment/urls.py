from django.urls import path

from loudou.assignment import views

app_name = "assignment"
urlpatterns = [
    path("pools/", views.pools_page, name="pools"),
    path("leads/<int:pk>/claim/", views.claim_view, name="claim"),
    path("leads/<int:pk>/release/", views.release_view, name="release"),
    path("leads/<int:pk>/assign/", views.assign_view, name="assign"),
    path("handover/", views.handover_page, name="handover"),
    path("rules/", views.rules_page, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/deactivate/", views.rule_deactivate, name="rule_deactivate"),
    path("rules/<int:pk>/move/", views.rule_move, name="rule_move"),
    path("intake/", views.intake_policy_edit, name="intake"),
    path("pools/settings/", views.pool_settings_page, name="pool_settings"),
    path("pools/new/", views.pool_edit, name="pool_create"),
    path("pools/<int:pk>/edit/", views.pool_edit, name="pool_edit"),
    path("pools/<int:pk>/deactivate/", views.pool_deactivate, name="pool_deactivate"),
]
