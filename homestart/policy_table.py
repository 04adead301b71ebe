"""Clause → how the product enforces it, and the code that does (read by homestart/policy_map.py).

One entry per clause of the Confidentiality Policy. ``how`` is for the people who read the "How this
system keeps the policy" page (scheme managers, trustees, HSUK reviewers): plain words, one or two
sentences. ``by`` names the functions, classes and views that do it, as dotted paths (homestart is the
bottom layer and imports no app above it); tests/homestart/test_policy_map.py imports every one, so a
path that moved fails there. Tests are not listed here: they are found from their policy markers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Enforcement:
    """How the product enforces a clause, in words, and the code that does it (dotted paths)."""

    how: str
    by: tuple[str, ...]


E = Enforcement

ENFORCEMENT: dict[str, Enforcement] = {
    # 1 Families: information and consent
    "1.1": E(
        "A confidentiality statement is recorded for each family: given verbally and in writing (the database "
        "refuses one without both), with a printable information sheet.",
        (
            "consent.models.ConfidentialityStatement",
            "consent.services.statement_record",
            "consent.views.statement_new",
            "consent.views.information_sheet",
        ),
    ),
    "1.2": E(
        "Consents are recorded by scope and recipient, with a review date; a withdrawn consent stops sharing "
        "at once, and nothing is shared without asking the one sharing rule. The review visit at which consent "
        "is sought again is planned from the consent due for review, and its visitor reminded the day before.",
        (
            "consent.models.Consent",
            "consent.services.consent_record",
            "consent.services.consent_withdraw",
            "consent.sharing.may_share",
            "families.models.PlannedVisit",
            "reminders.selectors.planned_visits_tomorrow",
        ),
    ),
    "1.3": E(
        "A self-referral consent covers telling the health visitor or another agency that the family asked "
        "for support, and general information.",
        ("consent.models.Scope", "consent.sharing.may_share"),
    ),
    "1.4": E(
        "Additional information in multi-agency arrangements needs a multi-agency consent.",
        ("consent.models.Scope", "consent.sharing.may_share"),
    ),
    "1.5": E(
        "Every communication with an agency is written to the disclosure register, which does not accept one "
        "without the family told, or the reason they were not.",
        ("consent.models.Disclosure", "consent.services.disclosure_record", "consent.views.disclosure_register"),
    ),
    "1.6": E(
        "Family files are encrypted and opened only through the access gate; a family member's subject access "
        "request is registered, checked, answered within the legal time and recorded.",
        (
            "access_log.gate.open_file",
            "records.models.SubjectAccessRequest",
            "records.subject_access.services.sar_register",
            "records.subject_access.services.sar_release",
            "records.subject_access.assemble.sar_assemble",
        ),
    ),
    # 2 Safeguarding
    "2.1": E(
        "Concerns are raised, acted on and referred; sharing with children's services rests on a recorded "
        "concern and, without consent, waits for a second person's approval.",
        (
            "safeguarding.models.Concern",
            "safeguarding.services.concern_raise",
            "safeguarding.services.concern_refer",
            "consent.sharing.may_share",
            "access_log.approvals.approval_decide",
        ),
    ),
    "2.2": E(
        "The disclosure register records that the family was told what was passed on, or why telling them "
        "would put the child at greater risk.",
        ("consent.models.Disclosure", "consent.services.disclosure_record"),
    ),
    "2.3": E(
        "Safeguarding concerns, child sexual exploitation among their categories, allow sharing that "
        "confidentiality alone would not.",
        ("safeguarding.models.Concern", "consent.sharing.may_share"),
    ),
    # 3 Trustees
    "3.1": E(
        "Every trustee acknowledges the current policy before any page opens; their induction on it is "
        "recorded by the person who gave it.",
        (
            "homestart.models.PolicyAcknowledgement",
            "homestart.middleware.PolicyAcknowledgementMiddleware",
            "access_log.gate.open_file",
            "homestart.models.Induction",
            "homestart.services.induction_record",
        ),
    ),
    "3.2": E(
        "Trustees never open a family file; they see statistics with small numbers suppressed.",
        ("families.kinds.FamilyFiles", "reporting.statistics.scheme_statistics", "reporting.views.statistics"),
    ),
    "3.3": E(
        "A case study is checked for names, addresses and other identifiers, and trustees read it only once a "
        "second person released it.",
        (
            "reporting.models.CaseStudy",
            "reporting.identifiers.find_identifiers",
            "reporting.services.case_study_release",
            "reporting.selectors.released_case_studies",
        ),
    ),
    "3.4": E(
        "Board minutes carry a reminder that what is discussed is confidential; confidential items are marked "
        "not to be shared; every reading is recorded.",
        ("reporting.views.minutes_detail", "reporting.models.ReportEvent", "homestart.models.Induction"),
    ),
    "3.5": E(
        "The safeguarding lead consults a trustee or adviser with a text that is refused while it holds "
        "anything identifying the family.",
        (
            "reporting.models.SafeguardingConsultation",
            "reporting.services.consultation_share",
            "reporting.identifiers.find_identifiers",
        ),
    ),
    "3.6": E(
        "Board minutes are read by the board and scheme staff, and by advisers and HSUK only when shared with "
        "them; every reading is recorded.",
        ("reporting.models.BoardMeeting", "reporting.selectors.meetings_visible_to", "reporting.views.minutes_detail"),
    ),
    "3.7": E(
        "Confidential items are minuted separately, encrypted, and read only by their circulation list.",
        (
            "reporting.models.ConfidentialItem",
            "reporting.services.confidential_item_add",
            "reporting.selectors.confidential_items_for",
        ),
    ),
    "3.8": E(
        "Trustees see who holds access to the scheme's files and who has been inducted on the current policy, "
        "the history of both, and this map of how each clause is kept.",
        (
            "homestart.views.access_holders",
            "homestart.views.membership_history",
            "homestart.views.inductions",
            "homestart.selectors.induction_register",
            "homestart.views.policy_map",
        ),
    ),
    "3.9": E(
        "Breaches are recorded with the 72-hour deadline for the ICO and decided by the manager; unusual "
        "reading of files is raised to the manager.",
        (
            "records.models.Breach",
            "records.breaches.services.breach_record",
            "records.breaches.monitoring.suspicious_access",
        ),
    ),
    # 4 Staff
    "4.1": E(
        "Every member of staff acknowledges the current policy before any page opens; their induction is "
        "recorded by the scheme manager.",
        (
            "homestart.models.PolicyAcknowledgement",
            "homestart.middleware.PolicyAcknowledgementMiddleware",
            "homestart.models.Induction",
            "homestart.services.induction_record",
        ),
    ),
    "4.2": E(
        "Supervision notes are sealed with the supervisee's file key and read only by the two of them and the "
        "scheme manager.",
        (
            "records.models.SupervisionNote",
            "records.people.services.supervision_record",
            "records.people.selectors.supervision_notes_for",
        ),
    ),
    "4.3": E(
        "Staff open files only through the gate, in their own scheme, and every opening is recorded and shown "
        "to them; their induction records the duty to keep confidentiality at all times.",
        (
            "access_log.gate.open_file",
            "access_log.views.my_access",
            "homestart.models.Induction",
            "homestart.services.induction_record",
        ),
    ),
    "4.4": E(
        "Breaches are recorded and decided by the manager; unusual reading of files is raised to the manager.",
        (
            "records.models.Breach",
            "records.breaches.services.breach_update",
            "records.breaches.monitoring.suspicious_access",
        ),
    ),
    # 5 Volunteers
    "5.1": E(
        "Every volunteer acknowledges the current policy before any page opens; their induction is recorded by "
        "a coordinator or the manager.",
        (
            "homestart.models.PolicyAcknowledgement",
            "homestart.middleware.PolicyAcknowledgementMiddleware",
            "homestart.models.Induction",
            "homestart.services.induction_record",
        ),
    ),
    "5.2": E(
        "A coordinator records supervision of a volunteer; the note is sealed and read only by the two of "
        "them and the scheme manager.",
        ("records.people.services.supervision_may_supervise", "records.people.services.supervision_record"),
    ),
    "5.3": E(
        "A volunteer's induction records that the peer-support guidance was explained, and volunteers see it "
        "beside their families: in a peer-support meeting, nothing that could identify a family.",
        ("homestart.models.Induction", "homestart.services.induction_record", "families.views.my_families"),
    ),
    "5.4": E(
        "A volunteer opens only the families assigned to them, in a minimal view, and never another "
        "volunteer's file; their induction records the duty to keep confidentiality at all times.",
        (
            "families.kinds.FamilyFiles",
            "families.kinds.FamilyFiles.minimal_view",
            "records.people.kinds.VolunteerFiles",
        ),
    ),
    "5.5": E(
        "Breaches are recorded and decided by the manager; unusual reading of files is raised to the manager.",
        (
            "records.models.Breach",
            "records.breaches.services.breach_record",
            "records.breaches.monitoring.suspicious_access",
        ),
    ),
    # 6 Groups
    "6.1": E(
        "A family joins a group, and a visitor attends, only once the staff member confirms confidentiality "
        "was explained and the written information given.",
        ("families.models.GroupMember", "families.models.GroupVisitor", "families.services.group_member_add"),
    ),
    # 7 Referrers and external agencies
    "7.1": E(
        "A referral is refused, by the service and by the database, unless the family consented.",
        ("families.models.Referral", "families.services.family_create_from_referral"),
    ),
    "7.2": E(
        "Only coordinators and managers take referrals and write to the referrer; each message is in the "
        "disclosure register.",
        ("families.views.family_new", "consent.services.communication_send", "consent.views.communication_new"),
    ),
    "7.3": E(
        "A general update to the referrer needs the family's general consent; a concern does not make "
        "routine updates possible.",
        ("consent.sharing.may_share", "consent.services.communication_send"),
    ),
    "7.4": E(
        "Specific information needs specific consent; without it, a recorded concern and a justification, "
        "and a second person approves before anything is shared.",
        ("consent.sharing.may_share", "consent.services.disclosure_record", "access_log.approvals.approval_decide"),
    ),
    "7.5": E(
        "A case study needs the family's consent, is checked for identifiers and is released by a second person.",
        ("reporting.models.CaseStudy", "reporting.services.case_study_release", "reporting.views.case_study_new"),
    ),
    "7.6": E(
        "An administrator signs a confidentiality undertaking before any admin page with family data opens; "
        "every reading is recorded.",
        (
            "access_log.models.ContractorUndertaking",
            "access_log.services.undertaking_sign",
            "access_log.views.undertaking",
        ),
    ),
    # 8 Written records
    "8.1": E(
        "Every write is validated in full before it is saved, and a mistake is shown next to its field with "
        "nothing changed.",
        ("families.services.family_create", "families.forms.NewFamilyForm", "homestart.once.form_once"),
    ),
    "8.2": E(
        "Personal fields are encrypted with per-file keys, backups are sealed, sign-in is throttled with "
        "optional two-factor, and registers cannot be rewritten.",
        (
            "homestart.crypto.seal",
            "homestart.fields.EncryptedField",
            "records.backups.backup.backup_write",
            "homestart.security.TwoFactorMiddleware",
            "homestart.models.AppendOnlyModel",
        ),
    ),
    "8.3": E(
        "Every family and volunteer file opens through one gate that decides by role, scheme, assignment, "
        "sample and signature, and records each opening and refusal.",
        ("access_log.gate.open_file", "families.kinds.FamilyFiles", "records.people.kinds.VolunteerFiles"),
    ),
    "8.4": E(
        "A personnel file opens for the line manager, a trustee the line manager designated, and an HSUK "
        "reviewer who sampled it and signed.",
        (
            "records.people.kinds.PersonnelFiles",
            "records.people.services.trustee_designate",
            "records.models.TrusteeDesignation",
        ),
    ),
    "8.5": E(
        "A volunteer is handed a minimal projection of the family, never the file; the volunteer file holds no "
        "family fields. A volunteer plans and sees visits only to the families they support, while they do.",
        (
            "families.kinds.MinimalFamily",
            "families.kinds.FamilyFiles.minimal_view",
            "records.models.VolunteerFile",
            "families.planning.planned_visit_plan",
            "families.planning.visits_this_week",
        ),
    ),
    "8.6": E(
        "Families are known by a reference made from the scheme code and a number; lists, addresses and "
        "logs show references, never names. The scheme's agenda of planned visits and the reminders name "
        "references only.",
        (
            "families.models.Family",
            "families.views.dashboard",
            "families.views.search",
            "families.views.agenda",
        ),
    ),
    "8.7": E(
        "Anyone may ask to see what is held about them: the request is registered, answered within the time "
        "limit and what was released recorded.",
        (
            "records.models.SubjectAccessRequest",
            "records.subject_access.services.sar_release",
            "records.subject_access.assemble.sar_assemble",
        ),
    ),
    "8.8": E(
        "Records are proposed for destruction after their retention period, authorised by two people and "
        "crypto-shredded, leaving a certificate.",
        (
            "records.retention.periods.retention_years",
            "records.retention.services.destruction_authorise",
            "records.retention.services.destruction_carry_out",
            "homestart.models.DataKey",
        ),
    ),
    "8.9": E(
        "Statistics for funders are counts with small numbers suppressed; each export is recorded.",
        ("reporting.statistics.scheme_statistics", "reporting.views.statistics_csv"),
    ),
    # 9 Confidentiality within Home-Start
    "9.1": E(
        "Spot-check trustees and HSUK reviewers draw a random sample and open a file only after signing and "
        "dating its Record of Access.",
        (
            "access_log.services.review_draw_sample",
            "access_log.services.record_of_access_sign",
            "access_log.models.RecordOfAccess",
            "access_log.views.sign_record",
        ),
    ),
    "9.2": E(
        "With the family's consent, a transfer makes a linked file in the new scheme, or an encrypted package "
        "for one elsewhere.",
        ("consent.transfers.transfer_to_scheme", "consent.transfers.transfer_export", "consent.sharing.may_share"),
    ),
    "9.3": E(
        "Without consent, a transfer needs a safeguarding concern in the family and waits for a second "
        "person's approval.",
        ("consent.sharing.may_share", "consent.transfers.transfer_carry_out", "access_log.approvals.approval_decide"),
    ),
    # 10 External proceedings
    "10.1": E(
        "An external auditor reads only the files a coordinator named in a supervised two-hour session, after "
        "both have signed the Record of Access.",
        (
            "access_log.services.audit_session_open",
            "access_log.models.AuditSession",
            "access_log.models.RecordOfAccess",
        ),
    ),
    "10.2": E(
        "Court evidence is given only once a court order is recorded on the request (the database refuses otherwise).",
        ("safeguarding.models.ExternalRequest", "safeguarding.services.request_record_order"),
    ),
    "10.3": E(
        "A police request tells the trustees at once; information is passed on only under an exception or a "
        "court order, and a second person decides.",
        (
            "safeguarding.services.request_log",
            "safeguarding.models.TrusteeNotice",
            "safeguarding.services.request_disclose",
        ),
    ),
}
