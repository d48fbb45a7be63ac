"""Celery tasks: thin wrappers that take an id and call a service (STYLE.md).

Rendering and delivery are idempotent, so the broker may deliver a message twice: with
acks_late and reject_on_worker_lost a message whose worker died is delivered again, and the
claim in the service makes the second run a no-op when the first finished.
"""

from celery import shared_task

from . import services

RETRYING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
    # The soft limit raises inside the render, which releases the claim; the hard one kills.
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(name="documents.render_decision", **RETRYING)
def render_decision(decision_id: int) -> bool:
    return services.decision_render(decision_id=decision_id)


@shared_task(name="documents.render_proposal_document", **RETRYING)
def render_proposal_document(document_id: int) -> bool:
    return services.proposal_document_render(document_id=document_id)


@shared_task(name="documents.deliver_decision", **RETRYING)
def deliver_decision(decision_id: int) -> int:
    return services.decision_deliver(decision_id=decision_id)


@shared_task(name="documents.sweep", acks_late=True, soft_time_limit=50, time_limit=55)
def sweep() -> dict:
    # No retry: beat runs it again next minute.
    return services.documents_sweep()
