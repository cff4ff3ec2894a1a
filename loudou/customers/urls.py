from django.urls import path

from loudou.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_form, name="create"),
    path("export/", views.customer_export, name="export"),
    path("contacts/export/", views.contact_export, name="contact_export"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_form, name="edit"),
    path("<int:customer_pk>/contacts/new/", views.contact_form, name="contact_create"),
    path("<int:customer_pk>/contacts/<int:pk>/edit/", views.contact_form, name="contact_edit"),
]
