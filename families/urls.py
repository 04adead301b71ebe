from django.urls import path, register_converter

from . import views


class ReferenceConverter:
    regex = r"[A-Z]{2,5}-[0-9]{4,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "ref")

app_name = "families"
urlpatterns = [
    path("families/", views.dashboard, name="dashboard"),
    path("display/", views.display_mode, name="display_mode"),
    path("search/", views.search, name="search"),
    path("families/new/", views.family_new, name="new"),
    path("families/<ref:reference>/", views.family_detail, name="detail"),
    path("families/<ref:reference>/history/", views.family_history, name="history"),
    path("families/<ref:reference>/contact/", views.contact_edit, name="contact_edit"),
    path("families/<ref:reference>/members/new/", views.member_edit, name="member_new"),
    path("families/<ref:reference>/members/<uuid:member_id>/", views.member_edit, name="member_edit"),
    path("families/<ref:reference>/visits/new/", views.visit_new, name="visit_new"),
    path("families/<ref:reference>/visits/plan/", views.visit_plan, name="visit_plan"),
    path("families/<ref:reference>/visits/planned/<uuid:planned_id>/missed/", views.visit_missed, name="visit_missed"),
    path("families/<ref:reference>/assignments/new/", views.assignment_new, name="assignment_new"),
    path(
        "families/<ref:reference>/assignments/<uuid:assignment_id>/end/",
        views.assignment_end,
        name="assignment_end",
    ),
    path("families/<ref:reference>/close/", views.family_close, name="close"),
    path("families/<ref:reference>/reopen/", views.family_reopen, name="reopen"),
    path("my-families/", views.my_families, name="my_families"),
    path("this-week/", views.this_week, name="this_week"),
    path("agenda/", views.agenda, name="agenda"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<uuid:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<uuid:group_id>/history/", views.group_history, name="group_history"),
    path("groups/<uuid:group_id>/families/new/", views.group_member_add, name="group_member_add"),
    path("groups/<uuid:group_id>/sessions/new/", views.group_session_new, name="group_session_new"),
]
