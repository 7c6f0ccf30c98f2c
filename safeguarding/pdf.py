"""A case summary as PDF, to share with the local authority or police when referring.

It never carries the reporter's identity, whoever downloads it.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from compliance.selectors import organisation_profile
from safeguarding import selectors
from safeguarding.models import TimelineEntry

# What goes to an outside body: the facts and the decisions, not internal chatter
# with the reporter or who may see their identity.
SHARED_KINDS = {TimelineEntry.Kind.STATUS, TimelineEntry.Kind.NOTE, TimelineEntry.Kind.REFERRAL}


def case_summary_html(*, concern) -> str:
    timeline = [e for e in selectors.concern_timeline(concern=concern) if e.kind in SHARED_KINDS]
    return render_to_string(
        "safeguarding/case_summary_pdf.html",
        {
            "concern": concern,
            "timeline": timeline,
            "referrals": selectors.concern_referrals(concern=concern),
            "generated_at": timezone.localtime(),
            "organisation": organisation_profile(),
        },
    )


def case_summary_pdf(*, concern) -> bytes:
    from weasyprint import HTML

    # Tagged for screen readers; the template gives <html lang> and <title>.
    return HTML(string=case_summary_html(concern=concern)).write_pdf(pdf_tags=True)
