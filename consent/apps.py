from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self) -> None:
        # Disclosures and transfers without consent happen only when approved (§2.1, §7.4, §9.3).
        from access_log.approvals import ApprovalHandler, register
        from access_log.models import ApprovalKind
        from homestart.rules import Section

        from .services import describe_sharing, disclosure_carry_out
        from .transfers import describe_transfer, transfer_carry_out

        register(ApprovalKind.DISCLOSURE, ApprovalHandler(Section.SAFEGUARDING, disclosure_carry_out, describe_sharing))
        register(ApprovalKind.TRANSFER, ApprovalHandler(Section.SAFEGUARDING, transfer_carry_out, describe_transfer))
