"""Every write on concerns and cases, one module per concern of the work:

- `reporting`: a concern is reported (any channel) and the reporter adds to it;
- `workflow`: the six case transitions, each through one `_transition` skeleton;
- `records`: notes, messages to the reporter, files, identity grants;
- `referrals`: referrals through first responders, their outcomes and chase; CQC notifications;
- `escalation`: overdue cases are escalated;
- `redaction`: the Lead masks personal data inside a narrative, note or message;
- `retention`: closed cases' content removed after their retention period, legal holds;
- `care`: acknowledgement and feedback deadlines for the reporter, and their reminders;
- `references`, `sla`: reference numbers, receipt codes and SLA deadlines;
- `common`: what they share (permission check, lock, timeline, notifications, files).

Callers import from `safeguarding.services`; the names below are the public surface.
"""

from safeguarding.services.care import (
    concern_acknowledge,
    concern_feedback_give,
    reporter_care_deadlines,
    reporter_care_remind,
)
from safeguarding.services.escalation import case_sla_escalate
from safeguarding.services.records import (
    attachment_add,
    concern_message_reporter,
    concern_note_add,
    identity_grant,
)
from safeguarding.services.redaction import mask_targets, text_mask
from safeguarding.services.references import (
    receipt_code_generate,
    receipt_code_hash,
    receipt_code_normalise,
    reference_next,
)
from safeguarding.services.referrals import (
    cqc_notification_record,
    cqc_notification_remind,
    first_responder_save,
    referral_outcome_chase,
    referral_outcome_record,
    referral_record,
)
from safeguarding.services.reporting import concern_reporter_add, concern_submit
from safeguarding.services.retention import case_purge, case_retention_run, concern_legal_hold
from safeguarding.services.sla import sla_due_at
from safeguarding.services.workflow import (
    concern_close,
    concern_investigate,
    concern_reassess,
    concern_refer,
    concern_reopen,
    concern_triage,
)

__all__ = [
    "attachment_add",
    "case_purge",
    "case_retention_run",
    "case_sla_escalate",
    "concern_acknowledge",
    "concern_feedback_give",
    "concern_close",
    "concern_investigate",
    "concern_legal_hold",
    "concern_message_reporter",
    "concern_note_add",
    "concern_reassess",
    "concern_refer",
    "concern_reopen",
    "concern_reporter_add",
    "concern_submit",
    "concern_triage",
    "cqc_notification_record",
    "cqc_notification_remind",
    "first_responder_save",
    "identity_grant",
    "mask_targets",
    "receipt_code_generate",
    "receipt_code_hash",
    "receipt_code_normalise",
    "reference_next",
    "reporter_care_deadlines",
    "reporter_care_remind",
    "referral_outcome_chase",
    "referral_outcome_record",
    "referral_record",
    "sla_due_at",
    "text_mask",
]
