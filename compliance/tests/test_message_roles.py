"""Status messages are announced: errors as alerts, confirmations as polite status (WCAG 4.1.3)."""

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string


def test_error_is_an_alert_and_confirmation_a_status():
    html = render_to_string(
        "partials/messages.html",
        {
            "messages": [
                Message(messages.ERROR, "The statement could not be approved."),
                Message(messages.SUCCESS, "Saved."),
            ]
        },
    )
    assert '<div class="alert alert-danger" role="alert">The statement could not be approved.</div>' in html
    assert '<div class="alert alert-success" role="status">Saved.</div>' in html
    assert html.count('role="alert"') == 1
