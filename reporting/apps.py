from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Anonymised statistics, case studies, board minutes and safeguarding consultations
    (§3.2–§3.7, §7.5, §8.9). DESIGN.md places these in records/; they live in their own
    app so that their migrations never clash with the volunteer and personnel files."""

    name = "reporting"
    verbose_name = "Reporting to trustees and funders"

    def ready(self) -> None:
        # A case study is released only when the scheme manager approves it (§3.3, §7.5).
        from access_log.approvals import ApprovalHandler, register
        from access_log.models import ApprovalKind
        from homestart.rules import Section

        from .services import case_study_release, describe_case_study

        register(
            ApprovalKind.CASE_STUDY, ApprovalHandler(Section.CASE_STUDIES, case_study_release, describe_case_study)
        )
