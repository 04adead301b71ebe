"""The models of ``records``, one module per concern, all in the ``records`` app (their
tables and migrations are the app's): volunteer and personnel files and supervision
(``people``), subject access (``subject_access``), retention and destruction
(``retention``), and the breach register (``breaches``)."""

from .breaches import Breach
from .people import (
    KeyFromField,
    LeavingReason,
    OwnKey,
    PersonFile,
    PersonnelFile,
    SupervisionNote,
    TrainingRecord,
    TrusteeDesignation,
    VolunteerFile,
)
from .retention import (
    FILE_RECORD_KINDS,
    AccessLogAct,
    AccessLogHold,
    AccessLogRetentionRecord,
    Destruction,
    DestructionCertificate,
    LegalHold,
    RecordKind,
    RetentionRule,
)
from .subject_access import Disclosure, SubjectAccessRequest

__all__ = [
    "FILE_RECORD_KINDS",
    "AccessLogAct",
    "AccessLogHold",
    "AccessLogRetentionRecord",
    "Breach",
    "Destruction",
    "DestructionCertificate",
    "Disclosure",
    "KeyFromField",
    "LeavingReason",
    "LegalHold",
    "OwnKey",
    "PersonFile",
    "PersonnelFile",
    "RecordKind",
    "RetentionRule",
    "SubjectAccessRequest",
    "SupervisionNote",
    "TrainingRecord",
    "TrusteeDesignation",
    "VolunteerFile",
]
