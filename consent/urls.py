from django.urls import path

import families.urls  # noqa: F401 - registers the "ref" converter

from . import views

app_name = "consent"
urlpatterns = [
    path("families/<ref:reference>/consent/", views.overview, name="overview"),
    path("families/<ref:reference>/consent/history/", views.history, name="history"),
    path("families/<ref:reference>/consent/statement/", views.statement_new, name="statement_new"),
    path("families/<ref:reference>/consent/information-sheet/", views.information_sheet, name="information_sheet"),
    path("families/<ref:reference>/consent/family-copy/", views.family_copy, name="family_copy"),
    path("families/<ref:reference>/consent/new/", views.consent_new, name="consent_new"),
    path("families/<ref:reference>/consent/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="withdraw"),
    path("families/<ref:reference>/consent/communicate/", views.communication_new, name="communication_new"),
    path("families/<ref:reference>/disclosures/", views.disclosure_register, name="disclosures"),
    path("families/<ref:reference>/disclosures/history/", views.disclosure_history, name="disclosure_history"),
    path("families/<ref:reference>/disclosures/new/", views.disclosure_new, name="disclosure_new"),
    path("families/<ref:reference>/transfer/", views.transfer_new, name="transfer_new"),
    path(
        "families/<ref:reference>/transfer/<uuid:transfer_id>/package/", views.transfer_package, name="transfer_package"
    ),
    path("consent/reviews/", views.reviews_due, name="reviews_due"),
]
