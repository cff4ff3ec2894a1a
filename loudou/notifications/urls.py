from django.urls import path

from loudou.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read_view, name="read"),
    path("read-all/", views.mark_all_read_view, name="read_all"),
]
