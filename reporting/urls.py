from django.urls import path

from families.urls import ReferenceConverter  # noqa: F401 - registers the "ref" converter

from . import views

app_name = "reporting"
urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.csv", views.statistics_csv, name="statistics_csv"),
    path("statistics/outcomes/", views.outcome_statistics_page, name="outcome_statistics"),
    path("statistics/outcomes/export.csv", views.outcome_statistics_csv, name="outcome_statistics_csv"),
    path("case-studies/", views.case_study_list, name="case_study_list"),
    path("case-studies/<uuid:study_id>/", views.case_study_detail, name="case_study_detail"),
    path("case-studies/<uuid:study_id>/history/", views.case_study_history, name="case_study_history"),
    path("case-studies/<uuid:study_id>/draft/", views.case_study_edit, name="case_study_edit"),
    path("case-studies/<uuid:study_id>/release/", views.case_study_release, name="case_study_release"),
    path("families/<ref:reference>/case-study/new/", views.case_study_new, name="case_study_new"),
    path("board-minutes/", views.minutes_list, name="minutes_list"),
    path("board-minutes/new/", views.minutes_new, name="minutes_new"),
    path("board-minutes/<uuid:meeting_id>/", views.minutes_detail, name="minutes_detail"),
    path(
        "board-minutes/<uuid:meeting_id>/confidential/new/", views.confidential_item_new, name="confidential_item_new"
    ),
    path("safeguarding-consultations/", views.consultation_list, name="consultation_list"),
    path("safeguarding-consultations/new/", views.consultation_new, name="consultation_new"),
]
