from django.urls import path

from loudou.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.funnel_view, name="funnel"),
    path("conversion/", views.conversion_view, name="conversion"),
    path("process/", views.process_view, name="process"),
    path("quota/", views.quota_view, name="quota"),
    path("trends/", views.trends_view, name="trends"),
    path("forecast/", views.forecast_view, name="forecast"),
    path("performance/", views.performance_view, name="performance"),
    path("director-targets/", views.director_targets_view, name="director_targets"),
]
