from django.urls import path

from loudou.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_form, name="create"),
    path("export/", views.customer_export, name="export"),
    path("contacts/export/", views.contact_export, name="contact_export"),
    path("<id:pk>/", views.customer_detail, name="detail"),
    path("<id:pk>/edit/", views.customer_form, name="edit"),
    path("<id:customer_pk>/contacts/new/", views.contact_form, name="contact_create"),
    path("<id:customer_pk>/contacts/<id:pk>/edit/", views.contact_form, name="contact_edit"),
    path("<id:customer_pk>/contacts/<id:pk>/reveal/", views.contact_reveal, name="contact_reveal"),
    path(
        "<id:customer_pk>/contacts/<id:pk>/consent/", views.contact_consent, name="contact_consent"
    ),
]
