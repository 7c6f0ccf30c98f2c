"""What suppliers tells the apps above it, without importing them (layers: suppliers sits below safeguarding).

`finding_needs_case` is sent, inside the transaction that records the finding, when
procurement says a finding may show a person at risk. The safeguarding app answers
it (safeguarding/receivers.py) by opening a case and returning the case's reference,
so the finding can link to it; a refusal is a ValidationError, and the finding is kept.
"""

from django.dispatch import Signal

# Sent with finding=Finding, actor=User; a receiver returns the reference of the case it opened.
finding_needs_case = Signal()
