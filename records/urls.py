from django.urls import path

from homestart.rules import FileKind
from records.breaches import views as breaches
from records.people import views as people
from records.retention import views as retention
from records.subject_access import views as subject_access

app_name = "records"
urlpatterns = [
    path("people/", people.volunteer_file_list, name="file_list"),
    path("volunteer-files/new/", people.file_new, {"kind": FileKind.VOLUNTEER}, name="volunteer_file_new"),
    path("personnel-files/new/", people.file_new, {"kind": FileKind.PERSONNEL}, name="personnel_file_new"),
    path("volunteer-files/<fileref:reference>/", people.volunteer_file, name="volunteer_file"),
    path(
        "volunteer-files/<fileref:reference>/change/",
        people.file_edit,
        {"kind": FileKind.VOLUNTEER},
        name="volunteer_file_edit",
    ),
    path(
        "personnel-files/<fileref:reference>/change/",
        people.file_edit,
        {"kind": FileKind.PERSONNEL},
        name="personnel_file_edit",
    ),
    path(
        "volunteer-files/<fileref:reference>/training/new/",
        people.training_record_new,
        name="volunteer_training_new",
    ),
    path("personnel-files/<fileref:reference>/", people.personnel_file, name="personnel_file"),
    path("volunteer-files/<fileref:reference>/history/", people.volunteer_file_history, name="volunteer_file_history"),
    path("personnel-files/<fileref:reference>/history/", people.personnel_file_history, name="personnel_file_history"),
    path("supervision/", people.supervision, name="supervision"),
    path("subject-access/", subject_access.sar_list, name="sar_list"),
    path("subject-access/new/", subject_access.sar_new, name="sar_new"),
    path("subject-access/<uuid:sar_id>/", subject_access.sar_detail, name="sar_detail"),
    path("subject-access/<uuid:sar_id>/history/", subject_access.sar_history, name="sar_history"),
    path("subject-access/<uuid:sar_id>/identity/", subject_access.sar_identity, name="sar_identity"),
    path("subject-access/<uuid:sar_id>/clarification/", subject_access.sar_clarification, name="sar_clarification"),
    path("subject-access/<uuid:sar_id>/extend/", subject_access.sar_extend, name="sar_extend"),
    path("subject-access/<uuid:sar_id>/document/", subject_access.sar_document, name="sar_document"),
    path("subject-access/<uuid:sar_id>/document.json", subject_access.sar_json, name="sar_json"),
    path("subject-access/<uuid:sar_id>/release/", subject_access.sar_release, name="sar_release"),
    path("retention/", retention.retention_due, name="retention"),
    path("retention/propose/", retention.retention_propose, name="retention_propose"),
    path("retention/hold/", retention.retention_hold, name="retention_hold"),
    path("retention/hold/<int:hold_id>/release/", retention.retention_hold_release, name="retention_hold_release"),
    path("retention/<uuid:destruction_id>/authorise/", retention.destruction_authorise, name="destruction_authorise"),
    path("retention/<uuid:destruction_id>/destroy/", retention.destruction_carry_out, name="destruction_carry_out"),
    path("retention/certificates/", retention.certificates, name="certificates"),
    path("breaches/", breaches.breach_list, name="breach_list"),
    path("breaches/new/", breaches.breach_new, name="breach_new"),
    path("breaches/<uuid:breach_id>/", breaches.breach_detail, name="breach_detail"),
    path("breaches/<uuid:breach_id>/history/", breaches.breach_history, name="breach_history"),
]
