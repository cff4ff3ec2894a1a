from django.contrib import admin
from django.urls import include, path

from loudou.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("loudou.org.urls")),
    path("leads/", include("loudou.leads.urls")),
    path("customers/", include("loudou.customers.urls")),
    path("pipeline/", include("loudou.pipeline.urls")),
    path("activities/", include("loudou.activities.urls")),
    path("notifications/", include("loudou.notifications.urls")),
    path("imports/", include("loudou.imports.urls")),
    path("f/", include("loudou.webforms.urls")),
    path("assignment/", include("loudou.assignment.urls")),
    path("analytics/", include("loudou.analytics.urls")),
    path("health/", include("loudou.health.urls")),
]
