from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from loudou.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # browsers ask for /favicon.ico whatever the page links; 403.html and 404.html in
    # loudou/templates are Django's default handlers' templates (no handler403/404 needed)
    path("favicon.ico", RedirectView.as_view(url=static("loudou/favicon.ico"))),
    path("", include("loudou.org.urls")),
    path("leads/", include("loudou.leads.urls")),
    path("customers/", include("loudou.customers.urls")),
    path("pipeline/", include("loudou.pipeline.urls")),
    path("activities/", include("loudou.activities.urls")),
    path("notifications/", include("loudou.notifications.urls")),
    path("imports/", include("loudou.imports.urls")),
    path("f/", include("loudou.webforms.urls")),
    path("assignment/", include("loudou.assignment.urls")),
    path("targets/", include("loudou.targets.urls")),
    path("commerce/", include("loudou.commerce.urls")),
    path("service/", include("loudou.service.urls")),
    path("analytics/", include("loudou.analytics.urls")),
    path("health/", include("loudou.health.urls")),
    path("teamwork/", include("loudou.teamwork.urls")),
    path("compliance/", include("loudou.compliance.urls")),
]
