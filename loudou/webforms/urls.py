from django.urls import path

from loudou.webforms import views

app_name = "webforms"
urlpatterns = [
    path("<str:token>/", views.form_page, name="form"),
    path("<str:token>/submit/", views.form_submit, name="submit"),
]
