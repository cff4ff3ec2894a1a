from django.urls import path

from loudou.activities import views

app_name = "activities"
urlpatterns = [
    path("agenda/", views.agenda_page, name="agenda"),
    path("leads/<id:pk>/follow-ups/", views.lead_follow_ups, name="lead_follow_ups"),
    path("follow-ups/<id:pk>/complete/", views.complete_follow_up, name="complete"),
    path("calendar/regenerate/", views.regenerate_calendar, name="regenerate_calendar"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar_feed"),
]
