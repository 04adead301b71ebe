from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("people/", views.volunteer_file_list, name="file_list"),
    path("volunteer-files/new/", views.file_new, {"kind": "volunteer"}, name="volunteer_file_new"),
    path("personnel-files/new/", views.file_new, {"kind": "personnel"}, name="personnel_file_new"),
    path("volunteer-files/<fileref:reference>/", views.volunteer_file, name="volunteer_file"),
    path(
        "volunteer-files/<fileref:reference>/change/",
        views.file_edit,
        {"kind": "volunteer"},
        name="volunteer_file_edit",
    ),
    path(
        "personnel-files/<fileref:reference>/change/",
        views.file_edit,
        {"kind": "personnel"},
        name="personnel_file_edit",
    ),
    path("personnel-files/<fileref:reference>/", views.personnel_file, name="personnel_file"),
    path("volunteer-files/<fileref:reference>/history/", views.volunteer_file_history, name="volunteer_file_history"),
    path("personnel-files/<fileref:reference>/history/", views.personnel_file_history, name="personnel_file_history"),
    path("supervision/", views.supervision, name="supervision"),
    path("subject-access/", views.sar_list, name="sar_list"),
    path("subject-access/new/", views.sar_new, name="sar_new"),
    path("subject-access/<uuid:sar_id>/", views.sar_detail, name="sar_detail"),
    path("subject-access/<uuid:sar_id>/history/", views.sar_history, name="sar_history"),
    path("subject-access/<uuid:sar_id>/identity/", views.sar_identity, name="sar_identity"),
    path("subject-access/<uuid:sar_id>/clarification/", views.sar_clarification, name="sar_clarification"),
    path("subject-access/<uuid:sar_id>/extend/", views.sar_extend, name="sar_extend"),
    path("subject-access/<uuid:sar_id>/document/", views.sar_document, name="sar_document"),
    path("subject-access/<uuid:sar_id>/document.json", views.sar_json, name="sar_json"),
    path("subject-access/<uuid:sar_id>/release/", views.sar_release, name="sar_release"),
    path("retention/", views.retention_due, name="retention"),
    path("retention/propose/", views.retention_propose, name="retention_propose"),
    path("retention/hold/", views.retention_hold, name="retention_hold"),
    path("retention/hold/<int:hold_id>/release/", views.retention_hold_release, name="retention_hold_release"),
    path("retention/<uuid:destruction_id>/authorise/", views.destruction_authorise, name="destruction_authorise"),
    path("retention/<uuid:destruction_id>/destroy/", views.destruction_carry_out, name="destruction_carry_out"),
    path("retention/certificates/", views.certificates, name="certificates"),
    path("breaches/", views.breach_list, name="breach_list"),
    path("breaches/new/", views.breach_new, name="breach_new"),
    path("breaches/<uuid:breach_id>/", views.breach_detail, name="breach_detail"),
    path("breaches/<uuid:breach_id>/history/", views.breach_history, name="breach_history"),
]
