"""The roles of the product, as Django Group names.

Groups are created by a data migration; code refers to them only through these
constants so that a renamed role is one change.
"""

STAFF = "Staff"
LINE_MANAGER = "Line manager"
MODERN_SLAVERY_LEAD = "Modern Slavery Lead"
SAFEGUARDING_TEAM = "Safeguarding team"
PROCUREMENT = "Procurement"
HR = "HR"
BOARD_MEMBER = "Board member"
DIRECTOR = "Director (signatory)"
COMPLIANCE_ADMIN = "Compliance admin"

ALL_ROLES = (
    STAFF,
    LINE_MANAGER,
    MODERN_SLAVERY_LEAD,
    SAFEGUARDING_TEAM,
    PROCUREMENT,
    HR,
    BOARD_MEMBER,
    DIRECTOR,
    COMPLIANCE_ADMIN,
)

# These roles see identities, cases or signatures: they must enrol in MFA
# before they can reach any page.
PRIVILEGED_ROLES = frozenset({MODERN_SLAVERY_LEAD, SAFEGUARDING_TEAM, DIRECTOR, COMPLIANCE_ADMIN})
