from django.urls import path

from loudou.health import views

app_name = "health"

urlpatterns = [
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/sweep/", views.sweep_view, name="sweep"),
    path("exceptions/<id:pk>/", views.case_detail, name="case"),
    path("exceptions/<id:pk>/acknowledge/", views.case_acknowledge, name="acknowledge"),
    path("exceptions/<id:pk>/resolve/", views.case_resolve, name="resolve"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("reports/", views.reports, name="reports"),
    path("reports/<id:pk>/", views.report_detail, name="report"),
    path("reports/<id:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<id:pk>/xlsx/", views.report_xlsx, name="report_xlsx"),
]
