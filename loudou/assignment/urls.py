from django.urls import path

from loudou.assignment import views

app_name = "assignment"
urlpatterns = [
    path("pools/", views.pools_page, name="pools"),
    path("leads/<int:pk>/claim/", views.claim_view, name="claim"),
    path("leads/<int:pk>/release/", views.release_view, name="release"),
    path("leads/<int:pk>/assign/", views.assign_view, name="assign"),
    path("handover/", views.handover_page, name="handover"),
]
