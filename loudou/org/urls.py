from django.contrib.auth import views as auth_views
from django.urls import path

from loudou.org import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path(
        "me/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="org/password.html", success_url="/me/"
        ),
        name="password_change",
    ),
]
