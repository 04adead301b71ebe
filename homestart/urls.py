from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="homestart/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("policy/", views.policy, name="policy"),
    path("admin/", admin.site.urls),
    path("", include("access_log.urls")),
    path("", include("families.urls")),
    path("", include("reporting.urls")),
]
