"""Giving a decision on an approval as a person would: the family file opened through the gate
(the section the approval page opens), then ``approval_decide`` (access_log/approvals.py)."""

from __future__ import annotations

from access_log import approvals, gate
from access_log.models import Approval, ApprovalDecision
from homestart.models import User


def decide(approval: Approval, user: User, *, approve: bool = True, reason: str = "") -> ApprovalDecision:
    access = gate.open_family(
        user=user,
        reference=approval.family.reference,
        section=approvals.HANDLERS[approval.kind].section,
        for_change=True,
    )
    return approvals.approval_decide(approval=approval, access=access, approve=approve, actor=user, reason=reason)
