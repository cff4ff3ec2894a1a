from django.urls import path
from django.views.generic import RedirectView

from loudou.service.views import customers, setup, tickets

app_name = "service"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="service:tickets"), name="home"),
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/export/", tickets.ticket_export, name="ticket_export"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/<id:pk>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<id:pk>/<slug:action>/", tickets.ticket_action, name="ticket_action"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<id:pk>/", customers.customer_detail, name="customer"),
    path("customers/<id:pk>/tier/", customers.customer_override, name="customer_override"),
    path("customers/<id:pk>/evaluate/", customers.customer_evaluate, name="customer_evaluate"),
    path("actions/<id:pk>/done/", customers.action_done, name="action_done"),
    path("actions/<id:pk>/skip/", customers.action_skip, name="action_skip"),
    path("log/", customers.log_list, name="log"),
    path("log/export/", customers.log_export, name="log_export"),
    path("settings/", setup.settings_page, name="settings"),
    path("plans/", setup.plan_list, name="plans"),
    path("plans/<id:pk>/", setup.plan_detail, name="plan"),
    path("plan-actions/<id:pk>/", setup.plan_action_edit, name="plan_action"),
]
