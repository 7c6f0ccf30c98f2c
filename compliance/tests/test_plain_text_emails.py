"""Plain-text emails are not HTML: nothing in them is HTML-escaped (once or twice)."""

from pathlib import Path

from django.template.loader import render_to_string

ROOT = Path(__file__).resolve().parents[2]


def _text_templates():
    for path in ROOT.glob("*/**/templates/**/*.txt"):
        if ".venv" not in path.parts and "node_modules" not in path.parts:
            yield path


def test_every_plain_text_template_turns_autoescape_off():
    missing = [
        str(p.relative_to(ROOT)) for p in _text_templates() if not p.read_text().startswith("{% autoescape off %}")
    ]
    assert list(_text_templates())
    assert not missing, "Start these with {% autoescape off %}: " + ", ".join(missing)


def test_a_notification_email_reads_as_typed(make_user):
    from compliance.models import Notification

    recipient = make_user()
    body = render_to_string(
        "compliance/email/notification.txt", {"message": "A supplier's worker & <agency>", "subject": "x"}
    )
    notification = Notification(recipient=recipient, subject="x", body=body.strip())
    email = render_to_string(
        "compliance/email/wrapper.txt", {"recipient": recipient, "notification": notification, "link": ""}
    )
    assert "A supplier's worker & <agency>" in email
    assert "&#x27;" not in email and "&amp;" not in email
