"""Celery tasks of the workflow: the two daily jobs, thin over their services (STYLE.md).

Both are safe to run twice or in two workers at once: postings lock the proposal row and check
its state; reminders claim their row before sending. A run that fails is not retried here: the
next day's run picks up whatever is still due.
"""

from celery import shared_task
from django.utils import timezone

from .postings import postings_apply_due
from .reminders import reminders_send_due


@shared_task(name="workflow.apply_due_postings", acks_late=True)
def apply_due_postings() -> dict:
    return postings_apply_due(today=timezone.localdate()).summary()


@shared_task(name="workflow.send_term_reminders", acks_late=True)
def send_term_reminders() -> dict:
    return reminders_send_due(today=timezone.localdate()).summary()
