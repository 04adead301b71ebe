"""The Confidentiality Policy in force when the system was introduced.

Kept here (not only in the migration) so that seed_demo can restore it in a
database that was emptied, as the browser tests' live server does.
"""

import datetime

INITIAL_POLICY_VERSION = "July 2016"
INITIAL_POLICY_PUBLISHED = datetime.datetime(2016, 7, 1, tzinfo=datetime.UTC)
INITIAL_POLICY_SUMMARY = """All information about parents and families is confidential. It is shared only as necessary in support of the volunteer and to assist the family, and outside Home-Start only with the parents' expressed permission — except to protect the welfare of a child or vulnerable adult, or in very rare cases of a suspected disclosable offence (drug trafficking, drug money laundering) or terrorism.

Families are told how Home-Start keeps information confidential, and of any communication with other agencies unless that would put a child or vulnerable adult at risk (§1.1, §1.5).

Safeguarding overrides confidentiality (§2.3).

Volunteer, family and personnel files are seen only by the people the policy names: the scheme's staff, the volunteer supporting the family (minimal information, §8.5), the trustee spot-checking files and HSUK or external reviewers, who sign the file's Record of Access (§8.3, §8.4, §9.1, §10.1).

Families are not identified on notice boards, whiteboards or screens others can see (§8.6). Breaches are treated seriously (§3.9, §4.4, §5.5)."""
