from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safeguarding"

    def ready(self) -> None:
        # The gate asks this app whether a family has an open concern (§2.1): the safeguarding
        # lead opens the identifying details of such a family for a referral, and of no other.
        from access_log.kinds import FamilyFiles

        from .selectors import has_open_concern

        FamilyFiles.has_open_concern = staticmethod(has_open_concern)

        # §10.3: a decision on a police or court request happens only when a second person approves it.
        from access_log.approvals import ApprovalHandler, register
        from access_log.models import ApprovalKind
        from homestart.rules import Section

        from .services import describe_request_decision, request_carry_out

        register(
            ApprovalKind.EXTERNAL_REQUEST,
            ApprovalHandler(Section.SAFEGUARDING, request_carry_out, describe_request_decision),
        )
