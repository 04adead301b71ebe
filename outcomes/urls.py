from django.urls import path

from families.urls import ReferenceConverter  # noqa: F401 - registers the "ref" converter

from . import views

app_name = "outcomes"
urlpatterns = [
    path("families/<ref:reference>/outcomes/", views.family_outcomes, name="family"),
    path("families/<ref:reference>/outcomes/new/", views.assessment_new, name="assessment_new"),
]
