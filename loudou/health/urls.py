from django.urls import path

from loudou.health import views

app_name = "health"

urlpatterns = [
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/sweep/", views.sweep_view, name="sweep"),
    path("exceptions/<int:pk>/", views.case_detail, name="case"),
    path("exceptions/<int:pk>/acknowledge/", views.case_acknowledge, name="acknowledge"),
    path("exceptions/<int:pk>/resolve/", views.case_resolve, name="resolve"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/xlsx/", views.report_xlsx, name="report_xlsx"),
]
