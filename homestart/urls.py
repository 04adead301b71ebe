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
    path("policy/how-it-is-kept/", views.policy_map, name="policy_map"),
    path("scheme/inductions/", views.inductions, name="inductions"),
    path("scheme/inductions/history/", views.induction_history, name="induction_history"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("confirm-it-is-you/", views.reauthenticate, name="reauthenticate"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("language/", views.language, name="language"),
    path("scheme/roles/history/", views.membership_history, name="membership_history"),
    path("set-password/<uidb64>/<token>/", views.password_set, name="password_set"),
    # Two people for every grant of access (§8.3, §7.6).
    path("access/requests/", views.access_requests, name="access_requests"),
    path("access/requests/<int:grant_id>/approve/", views.access_request_approve, name="access_request_approve"),
    path("access/requests/<int:grant_id>/refuse/", views.access_request_refuse, name="access_request_refuse"),
    path("access/holders/<str:scheme_code>/", views.access_holders, name="access_holders"),
    path("admin/", admin.site.urls),
    path("", include("home.urls")),
    path("", include("access_log.urls")),
    path("records/", include("records.urls")),
    path("", include("families.urls")),
    path("", include("consent.urls")),
    path("", include("safeguarding.urls")),
    path("", include("outcomes.urls")),
    path("", include("reporting.urls")),
    path("", include("portability.urls")),
]

# A lost or cancelled database query outside a view: the error page with 503 too.
handler500 = "homestart.views.server_error"
