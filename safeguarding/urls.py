from django.urls import path

import families.urls  # noqa: F401 - registers the "ref" converter

from . import views

app_name = "safeguarding"
F = "families/<ref:reference>/safeguarding/"
urlpatterns = [
    path("safeguarding/", views.overview, name="overview"),
    path("safeguarding/open/", views.go_to_family, name="go_to_family"),
    path("trustees/notices/", views.trustee_notices, name="trustee_notices"),
    path(F, views.family, name="family"),
    path(F + "identifying-details/", views.identifying_details, name="identifying_details"),
    path(F + "concerns/new/", views.concern_new, name="concern_new"),
    path(F + "concerns/<uuid:concern_id>/", views.concern_detail, name="concern"),
    path(F + "concerns/<uuid:concern_id>/history/", views.concern_history, name="concern_history"),
    path(F + "concerns/<uuid:concern_id>/actions/new/", views.action_new, name="action_new"),
    path(F + "concerns/<uuid:concern_id>/refer/", views.concern_refer, name="concern_refer"),
    path(F + "concerns/<uuid:concern_id>/close/", views.concern_close, name="concern_close"),
    path(F + "requests/new/", views.request_new, name="request_new"),
    path(F + "requests/<uuid:request_id>/", views.request_detail, name="request"),
    path(F + "requests/<uuid:request_id>/history/", views.request_history, name="request_history"),
    path(F + "requests/<uuid:request_id>/order/", views.request_order, name="request_order"),
    path(F + "requests/<uuid:request_id>/refuse/", views.request_refuse, name="request_refuse"),
    path(F + "requests/<uuid:request_id>/disclose/", views.request_disclose, name="request_disclose"),
]
