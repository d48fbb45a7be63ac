"""Delivery after the PDF is ready: the inbox of the official concerned and of the users of the
sending and receiving units, one e-mail each with the PDF attached, recorded in the audit."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from audit.models import AuditEvent
from documents import services
from documents.models import Delivery
from tests.world import issue, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(world, media, django_capture_on_commit_callbacks):
    """A rendered decision; the render queues the delivery after its commit."""
    decision = issue(world, make_proposal(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_render(decision_id=decision.pk)
    decision.refresh_from_db()
    return decision


def test_a_ready_decision_reaches_the_official_and_the_units_inboxes(ready, world):
    inbox = {
        d.recipient.username: (d.reason, d.unit.name if d.unit else None)
        for d in Delivery.objects.filter(decision=ready)
    }

    assert inbox == {
        "canbo.an": ("subject", None),
        "dongnghiep.tuly": ("unit", "Xã Tú Lý"),
        "canbo.dongruong": ("unit", "Xã Đồng Ruộng"),
        "khongthu": ("unit", "Xã Đồng Ruộng"),
    }
    assert ready.delivered_at is not None


def test_each_recipient_with_an_address_gets_one_email_with_the_pdf(ready, media):
    assert sorted(m.to[0] for m in mail.outbox) == [
        "canbo.an@example.org",
        "canbo.dongruong@example.org",
        "dongnghiep.tuly@example.org",
    ]
    message = mail.outbox[0]
    assert "Số 01-QĐ/HU" in message.subject
    assert ready.verify_url in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("Quyet-dinh-01-QD-HU.pdf", "application/pdf")
    assert content == (media / ready.file.name).read_bytes()

    # Delivering again sends nothing and adds nobody.
    assert services.decision_deliver(decision_id=ready.pk) == 0
    assert len(mail.outbox) == 3
    assert Delivery.objects.filter(decision=ready).count() == 4
    assert Delivery.objects.filter(decision=ready, emailed_at__isnull=False).count() == 3


def test_delivery_is_recorded_once_in_the_audit(ready):
    services.decision_deliver(decision_id=ready.pk)

    [event] = AuditEvent.objects.filter(action="decision_delivered")
    assert event.data["emailed"] == 3
    assert sorted(event.data["recipients"]) == [
        "canbo.an",
        "canbo.dongruong",
        "dongnghiep.tuly",
        "khongthu",
    ]


def test_a_failed_send_is_retried_for_the_recipients_not_yet_emailed(world, media, monkeypatch):
    decision = issue(world, make_proposal(world))
    services.decision_render(decision_id=decision.pk)
    real_send = EmailMessage.send
    failures = {"dongnghiep.tuly@example.org"}

    def flaky_send(message, fail_silently=False):
        if message.to[0] in failures:
            failures.clear()
            raise ConnectionRefusedError("SMTP server not answering")
        return real_send(message, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)

    with pytest.raises(ConnectionRefusedError):
        services.decision_deliver(decision_id=decision.pk)
    decision.refresh_from_db()
    assert decision.delivered_at is None

    services.decision_deliver(decision_id=decision.pk)

    decision.refresh_from_db()
    addresses = sorted(m.to[0] for m in mail.outbox)
    assert addresses == sorted(set(addresses))  # nobody twice
    assert len(addresses) == 3
    assert decision.delivered_at is not None


def test_a_decision_not_yet_rendered_is_not_delivered(world):
    decision = issue(world, make_proposal(world))

    assert services.decision_deliver(decision_id=decision.pk) == 0
    assert not Delivery.objects.exists()
    assert mail.outbox == []
