"""Every write to supplier records, one module per area, each function keyword-only and named <entity>_<action>.

- register: the register itself (create/update, risk scoring, activation gates,
  agency checks, decisions, documents, code of conduct, annual review) and the
  helpers the other modules share (register_manager_check, supplier_event_record).
- audit: audits, findings (a finding that needs a case sends suppliers.signals.finding_needs_case),
  corrective actions and their escalation chain.
- questionnaire: questionnaires sent by link, their answers, review and chasers; templates.
- imports: register import (CSV/XLSX as a background job) and export rows.

Import the module you need (`from suppliers.services import audit as audit_services`);
this package re-exports nothing, so each name has one home.
"""
