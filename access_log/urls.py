from django.urls import path, register_converter

from . import views
from .kinds import KINDS


class KindConverter:
    regex = "|".join(KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ReferenceConverter:
    # Family files WIR-0042; volunteer files WIR-V-0007; personnel files WIR-P-0003.
    regex = r"[A-Z]{2,5}-(?:[VP]-)?[0-9]{4,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")
register_converter(ReferenceConverter, "fileref")

app_name = "access_log"
urlpatterns = [
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_new, name="review_new"),
    path("reviews/<uuid:review_id>/", views.review_detail, name="review_detail"),
    path("reviews/<uuid:review_id>/close/", views.review_close, name="review_close"),
    path("files/<kind:kind>/<fileref:reference>/sign/", views.sign_record, name="sign"),
    path("files/<kind:kind>/<fileref:reference>/access-log/", views.file_access_log, name="file_log"),
    path("audit-sessions/", views.audit_session_list, name="audit_session_list"),
    path("audit-sessions/new/", views.audit_session_new, name="audit_session_new"),
    path("audit-sessions/<uuid:session_id>/", views.audit_session_detail, name="audit_session_detail"),
    path("audit-sessions/<uuid:session_id>/close/", views.audit_session_close, name="audit_session_close"),
    path("my-access/", views.my_access, name="my_access"),
    path("undertaking/", views.undertaking, name="undertaking"),
    path("approvals/", views.approval_list, name="approvals"),
    path("approvals/<uuid:approval_id>/", views.approval_detail, name="approval"),
]
