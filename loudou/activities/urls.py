from django.urls import path
from django.views.generic import TemplateView

app_name = "activities"
urlpatterns = [
    path("agenda/", TemplateView.as_view(template_name="activities/agenda.html"), name="agenda")
]
