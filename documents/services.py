"""Writes for decisions and the other letters: numbering, issuing, rendering, delivery,
acknowledgement, and the sweep that recovers lost work (SPEC §5).

The database is the source of truth and the queue only a wake-up call. Every render and every
e-mail claims its row with a conditional UPDATE, so a duplicated, retried or re-queued task does
nothing twice; the sweep re-queues whatever a lost message (Redis keeps nothing on disk) or a
killed worker left behind.
"""

import datetime as dt
import hashlib
import json
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.services import audit_append
from lib.dates import short_date
from lib.errors import Conflict, Invalid, NotAllowed
from lib.text import fold
from personnel.models import Board, Term
from personnel.roles import signer_for

from . import rendering, selectors
from .models import (
    Decision,
    Delivery,
    DocumentProfile,
    LegalBasis,
    NumberSeries,
    ProposalDocument,
    RenderStatus,
)

logger = logging.getLogger(__name__)

PENDING, RENDERING, READY, FAILED = (
    RenderStatus.PENDING,
    RenderStatus.RENDERING,
    RenderStatus.READY,
    RenderStatus.FAILED,
)


class DocumentNotReady(Conflict):
    """The file is asked for before it is rendered (the API answers 409)."""

    def __init__(self, render_status: str):
        super().__init__(
            _("The PDF is not ready yet; it is %(status)s."),
            code="not_ready",
            params={"status": RenderStatus(render_status).label},
        )


class NotTheOfficial(NotAllowed, PermissionDenied):
    """Someone other than the official named in a decision acknowledges it (a 403 on pages and
    in the API alike)."""


def stale_seconds() -> float:
    return float(getattr(settings, "DOCUMENT_RENDER_STALE_SECONDS", 120))


def max_attempts() -> int:
    return int(getattr(settings, "DOCUMENT_RENDER_MAX_ATTEMPTS", 5))


# --- Numbering ------------------------------------------------------------------------------


def _period_for(*, committee, form: str, day: dt.date) -> str:
    if form == Decision.Form.STATE:
        # State documents (NĐ 30) are numbered per calendar year.
        return f"year:{day.year}"
    # Party documents (HD 36) are numbered from 01 in each committee term.
    term = (
        Term.objects.filter(committee=committee, kind=Term.Kind.PARTY, start__lte=day, end__gte=day)
        .order_by("-start")
        .first()
    )
    if term is None:
        raise Invalid(
            _("No term of %(committee)s is recorded for %(day)s."),
            code="no_term",
            params={"committee": str(committee), "day": short_date(day)},
        )
    return f"term:{term.pk}"


def decision_number_next(*, committee, doc_type: str, form: str, day: dt.date) -> tuple:
    """Take the next number of the series, holding the series row locked until commit."""
    period = _period_for(committee=committee, form=form, day=day)
    series, _created = NumberSeries.objects.get_or_create(
        committee=committee, doc_type=doc_type, period=period
    )
    # Lock the row: two clerks may issue at the same moment; the second waits for the first.
    series = NumberSeries.objects.select_for_update().get(pk=series.pk)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series, series.last_number


# --- Issuing --------------------------------------------------------------------------------


def document_profile_for(committee) -> DocumentProfile:
    """The committee's letter settings, or the defaults (an unsaved row) when it has none."""
    profile = DocumentProfile.objects.filter(committee=committee).first()
    return profile or DocumentProfile(committee=committee)


def legal_bases_for(*, committee, kind: str, form: str, day: dt.date) -> list[str]:
    """The "Căn cứ …" texts in force on `day` for this committee, kind and form, in order."""
    bases = (
        LegalBasis.objects.filter(Q(committee=committee) | Q(committee__isnull=True))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .filter(Q(form="") | Q(form=form))
        .order_by("order", "id")
    )
    return [
        basis.text.strip().lstrip("-– ").rstrip(";,. ") for basis in bases if basis.applies_to(kind)
    ]


def _signing_block(*, committee, profile, form: str, role: str, name: str) -> dict:
    chair = role == Decision.SignerRole.CHAIR
    if form == Decision.Form.STATE:
        chair_title = profile.chair_title or "CHỦ TỊCH"
        return {
            "prefix": "TM.",
            "collective": profile.signing_collective or committee.collective_name,
            # NĐ 30: a deputy signs "KT." over the head's title, then his own.
            "kt": "" if chair else f"KT. {chair_title}",
            "title": chair_title if chair else (profile.deputy_title or "PHÓ CHỦ TỊCH"),
            "name": name,
        }
    collective = profile.signing_collective
    if not collective:
        upper = committee.collective_name.upper()
        collective = "BAN THƯỜNG VỤ" if upper.startswith("BAN THƯỜNG VỤ") else upper
    # HD 36 §1.7.1: a Party committee's documents are signed "T/M" by the secretary or a deputy
    # (never "K/T BÍ THƯ").
    return {
        "prefix": "T/M",
        "collective": collective,
        "kt": "",
        "title": (profile.chair_title or "BÍ THƯ")
        if chair
        else (profile.deputy_title or "PHÓ BÍ THƯ"),
        "name": name,
    }


def _unit_ref(unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind}


def _decision_content(*, decision: Decision, profile: DocumentProfile) -> dict:
    """Everything the letter prints, frozen at issue."""
    proposal = decision.proposal
    committee = decision.committee
    official = proposal.official
    from_position = proposal.from_assignment.position
    target = proposal.target_position
    board = Board.objects.filter(committee=committee).first()
    board_name = board.name if board else ""
    office_name = profile.office_name or rendering.office_name_default(
        collective_name=committee.collective_name, board_name=board_name
    )
    content = {
        "form": decision.form,
        "kind": proposal.kind,
        "issued_on": decision.issued_on,
        "number_label": decision.number_label,
        "number_display": decision.number_display,
        "superior_body": committee.superior_body_name,
        "issuing_body": committee.issuing_body_name,
        "collective_name": committee.collective_name,
        "place": committee.place_name,
        "board_name": board_name,
        "office_name": office_name,
        "report_to": [line.strip() for line in profile.report_to.splitlines() if line.strip()],
        "official": {"id": official.pk, "name": official.full_name, "gender": official.gender},
        "from_post": from_position.name,
        "from_unit": from_position.unit.name,
        "from_unit_ref": _unit_ref(from_position.unit),
        "to_post": target.name,
        "to_unit": target.unit.name,
        "to_unit_ref": _unit_ref(target.unit),
        "effective_date": proposal.effective_date,
        "duration_months": proposal.duration_months,
        "planned_end": proposal.planned_end,
        "legal_bases": legal_bases_for(
            committee=committee, kind=proposal.kind, form=decision.form, day=decision.issued_on
        ),
        "signing": _signing_block(
            committee=committee,
            profile=profile,
            form=decision.form,
            role=decision.signer_role,
            name=decision.signer_name,
        ),
        "verify_code": decision.verify_code,
        "verify_url": decision.verify_url,
        "margins": profile.margins,
        "body_pt": profile.body_font_pt,
    }
    # Through JSON now, so the content is the same before and after a database round trip.
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))


def _signer_role_for(*, committee, signer, day: dt.date, claimed: str | None, subject) -> str:
    if claimed:
        if claimed not in Decision.SignerRole.values:
            raise Invalid(
                _("The signer signs as chair or deputy, not %(role)s."),
                code="signer_role",
                params={"role": claimed},
            )
        return claimed
    return signer_for(committee, day, user=signer, subject=subject).role


def decision_issue(
    *,
    proposal,
    signer,
    issued_by,
    signer_role: str | None = None,
    signer_name: str | None = None,
    issued_on: dt.date | None = None,
    form: str | None = None,
) -> Decision:
    """Create the numbered decision for an approved proposal and queue its PDF after commit.

    Call inside the transaction that moves the proposal to `issued`, so that a rollback also
    gives the number back. Without `signer_role` the role is read from the signer's committee
    membership; without `form`, from the committee's document settings."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("decision_issue must run inside a transaction")
    day = issued_on or timezone.localdate()
    committee = proposal.committee
    profile = document_profile_for(committee)
    form = form or profile.form
    role = _signer_role_for(
        committee=committee, signer=signer, day=day, claimed=signer_role, subject=proposal.official
    )
    series, number = decision_number_next(committee=committee, doc_type="QĐ", form=form, day=day)
    decision = Decision(
        proposal=proposal,
        committee=committee,
        form=form,
        doc_type="QĐ",
        series=series,
        number=number,
        issued_on=day,
        signer=signer,
        signer_role=role,
        signer_name=signer_name or selectors.user_display_name(signer),
        issued_by=issued_by,
    )
    decision.content = _decision_content(decision=decision, profile=profile)
    decision.save(force_insert=True)
    event = audit_append(
        action="decision_issued",
        actor=issued_by,
        proposal=proposal,
        data={
            "decision": decision.pk,
            "number": decision.number_label,
            "issued_on": day,
            "signer": signer.pk,
            "signer_role": role,
        },
    )
    # Anchor the chain head in the decision. The row is ours (inserted above, unseen by others),
    # so this write after the head lock waits for nobody.
    decision.audit_seq, decision.audit_hash = event.seq, event.hash
    decision.save(update_fields=["audit_seq", "audit_hash"])
    enqueue_after_commit("render_decision", decision.pk)
    return decision


# --- Queuing --------------------------------------------------------------------------------


def enqueue(task_name: str, object_id: int) -> bool:
    """Hand a task to the broker. Never raises: with the broker down the row stays pending and
    the sweep queues it again later."""
    from . import tasks  # imported here: tasks imports this module

    task = getattr(tasks, task_name)
    try:
        if task.app.conf.task_always_eager:
            task.apply_async(args=[object_id])
        else:
            with task.app.pool.acquire(block=True, timeout=2) as connection:
                # Fail fast when the broker is down: kombu would otherwise keep retrying for
                # seconds while the clerk's request waits.
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
                task.apply_async(args=[object_id], connection=connection, retry=False)
    except Exception:
        logger.exception(
            "Could not queue %s(%s); the sweep will queue it again", task_name, object_id
        )
        return False
    return True


def enqueue_after_commit(task_name: str, object_id: int) -> None:
    """Queue after the caller's commit, so the worker finds the row; a failure is logged."""
    transaction.on_commit(partial(enqueue, task_name, object_id), robust=True)


# --- Rendering ------------------------------------------------------------------------------


def _claim(model, pk: int, *, token: dt.datetime) -> bool:
    """Take the row for rendering: pending, or left in `rendering` longer than the stale
    threshold by a worker that died. `token` (the claim time) marks our claim."""
    stale_before = token - dt.timedelta(seconds=stale_seconds())
    claimable = Q(status=PENDING) | Q(
        Q(render_started_at__isnull=True) | Q(render_started_at__lt=stale_before),
        status=RENDERING,
        render_attempts__lt=max_attempts(),
    )
    updated = model.objects.filter(claimable, pk=pk).update(
        status=RENDERING, render_started_at=token, render_attempts=F("render_attempts") + 1
    )
    return updated == 1


def _store(model, name: str, data: bytes) -> None:
    """Write the file under its deterministic name, replacing what a dead attempt left."""
    storage = model._meta.get_field("file").storage
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        raise RuntimeError(f"storage saved {saved!r} instead of {name!r}")


def _release(model, pk: int, *, token: dt.datetime, error: BaseException, on_failed) -> None:
    """After an error: back to pending for the task's retry, or failed after the last attempt."""
    try:
        attempts = model.objects.filter(pk=pk).values_list("render_attempts", flat=True).first()
        give_up = attempts is not None and attempts >= max_attempts()
        with transaction.atomic():
            released = model.objects.filter(
                pk=pk, status=RENDERING, render_started_at=token
            ).update(
                status=FAILED if give_up else PENDING,
                error=f"{type(error).__name__}: {error}"[:2000],
            )
            if released and give_up:
                on_failed(pk, error)
    except Exception:
        logger.exception("Could not release the claim on %s %s", model.__name__, pk)


def _render(model, pk: int, *, build, on_ready, on_failed) -> bool:
    """Claim, build the PDF, store it, then mark the row ready with its SHA-256 in one
    conditional UPDATE. Returns False when there was nothing to do."""
    token = timezone.now()
    if not _claim(model, pk, token=token):
        logger.info("%s %s is claimed by another worker or done; nothing to do", model.__name__, pk)
        return False
    try:
        obj = model.objects.get(pk=pk)
        pdf = build(obj)
        digest = hashlib.sha256(pdf).hexdigest()
        ours = model.objects.filter(pk=pk, status=RENDERING, render_started_at=token)
        if not ours.exists():
            # A worker that thought us dead took the row over; its file is the one that counts.
            return False
        _store(model, obj.file_name, pdf)
        with transaction.atomic():
            done = ours.update(
                status=READY,
                sha256=digest,
                file=obj.file_name,
                rendered_at=timezone.now(),
                error="",
            )
            if done:
                on_ready(obj, digest)
        return bool(done)
    except Exception as exc:
        _release(model, pk, token=token, error=exc, on_failed=on_failed)
        raise


def decision_pdf_bytes(decision: Decision) -> bytes:
    return rendering.html_to_pdf(
        rendering.decision_html(decision, pdf=True), identifier=decision.verify_code[:32]
    )


def _decision_ready(decision: Decision, digest: str) -> None:
    audit_append(
        action="decision_rendered",
        proposal=decision.proposal,
        data={"decision": decision.pk, "sha256": digest, "attempt": decision.render_attempts},
    )
    enqueue_after_commit("deliver_decision", decision.pk)


def _decision_failed(pk: int, error: BaseException) -> None:
    decision = Decision.objects.select_related("proposal").get(pk=pk)
    audit_append(
        action="decision_render_failed",
        proposal=decision.proposal,
        data={"decision": pk, "error": f"{type(error).__name__}: {error}"[:500]},
    )


def decision_render(*, decision_id: int) -> bool:
    """Render one decision's PDF (the Celery task calls this). Idempotent."""
    return _render(
        Decision,
        decision_id,
        build=decision_pdf_bytes,
        on_ready=_decision_ready,
        on_failed=_decision_failed,
    )


def decision_render_retry(*, decision: Decision, actor) -> bool:
    """The office asks again for a decision whose rendering failed."""
    with transaction.atomic():
        reset = Decision.objects.filter(pk=decision.pk, status=FAILED).update(
            status=PENDING, render_attempts=0, render_started_at=None, error=""
        )
        if reset:
            audit_append(
                action="decision_render_retried",
                actor=actor,
                proposal=decision.proposal,
                data={"decision": decision.pk},
            )
            enqueue_after_commit("render_decision", decision.pk)
    return bool(reset)


# --- The board's submission and the vote minutes --------------------------------------------


def _document_queue(*, key: str, proposal, kind: str, vote_round=None) -> ProposalDocument:
    document, created = ProposalDocument.objects.get_or_create(
        key=key, defaults={"proposal": proposal, "kind": kind, "vote_round": vote_round}
    )
    if created or document.status == PENDING:
        enqueue_after_commit("render_proposal_document", document.pk)
    return document


def submission_render(proposal) -> ProposalDocument:
    """Queue the board's submission (Tờ trình) with the eligibility snapshot and exceptions the
    committee saw. Call at endorsement, inside its transaction; calling again with the same
    snapshot finds the same document."""
    snapshot = json.dumps(
        proposal.eligibility_snapshot, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False
    )
    digest = hashlib.sha256(snapshot.encode("utf-8")).hexdigest()[:16]
    return _document_queue(
        key=f"submission:{proposal.pk}:{digest}",
        proposal=proposal,
        kind=ProposalDocument.Kind.SUBMISSION,
    )


def minutes_render(vote_round) -> ProposalDocument:
    """Queue the vote minutes (Biên bản kiểm phiếu) of a closed round: counts only, never who
    voted what. Call at close_vote, inside its transaction."""
    if vote_round.status != "closed":
        raise Conflict(_("The vote minutes wait for the vote to close."), code="vote_open")
    return _document_queue(
        key=f"minutes:{vote_round.pk}",
        proposal=vote_round.proposal,
        kind=ProposalDocument.Kind.MINUTES,
        vote_round=vote_round,
    )


def proposal_document_pdf_bytes(document: ProposalDocument) -> bytes:
    return rendering.html_to_pdf(
        rendering.proposal_document_html(document, pdf=True), identifier=document.token[:32]
    )


def _document_ready(document: ProposalDocument, digest: str) -> None:
    audit_append(
        action="document_rendered",
        proposal=document.proposal,
        data={"document": document.pk, "kind": document.kind, "sha256": digest},
    )


def _document_failed(pk: int, error: BaseException) -> None:
    document = ProposalDocument.objects.select_related("proposal").get(pk=pk)
    audit_append(
        action="document_render_failed",
        proposal=document.proposal,
        data={"document": pk, "kind": document.kind, "error": str(error)[:500]},
    )


def proposal_document_render(*, document_id: int) -> bool:
    """Render a submission or minutes PDF (the Celery task calls this). Idempotent."""
    return _render(
        ProposalDocument,
        document_id,
        build=proposal_document_pdf_bytes,
        on_ready=_document_ready,
        on_failed=_document_failed,
    )


# --- Delivery -------------------------------------------------------------------------------


def attachment_name(decision: Decision) -> str:
    # "Quyet-dinh-01-QD-HU.pdf": ASCII, because some mail clients mangle other names.
    label = fold(decision.number_label).upper().replace("/", "-")
    return f"Quyet-dinh-{label}.pdf"


@rendering.in_vietnamese
def _email_decision(decision: Decision, user, pdf: bytes) -> None:
    content = decision.content
    params = {
        "number": decision.number_display,
        "kind": rendering.kind_verb(content.get("kind")),
        "name": selectors.user_display_name(user),
        "issuer": content.get("issuing_body", ""),
        "date": short_date(decision.issued_on),
        "official": content.get("official", {}).get("name", ""),
        "link": f"{settings.SITE_URL}/decisions/{decision.pk}/",
        "verify_url": decision.verify_url,
        "sha256": decision.sha256,
    }
    subject = gettext("Decision %(number)s on the %(kind)s of an official") % params
    body = (
        gettext(
            "Dear %(name)s,\n\n"
            "%(issuer)s sends decision %(number)s of %(date)s on %(official)s (the PDF file is "
            "attached).\n"
            "Read it and acknowledge receipt: %(link)s\n"
            "Check that it is genuine: %(verify_url)s\n"
            "SHA-256: %(sha256)s\n"
        )
        % params
    )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach(attachment_name(decision), pdf, "application/pdf")
    message.send(fail_silently=False)


def decision_deliver(*, decision_id: int) -> int:
    """Put a ready decision in the inbox of the official and of the users of the sending and
    receiving units, and e-mail it to each of them once. Returns the number of e-mails sent."""
    decision = (
        Decision.objects.select_related("proposal__official", "committee")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.status != READY:
        return 0
    # One insert for all; a recipient already delivered to (a retry) is skipped by the
    # unique constraint.
    Delivery.objects.bulk_create(
        [
            Delivery(decision=decision, recipient=user, unit=unit, reason=reason)
            for user, unit, reason in selectors.decision_recipients(decision)
        ],
        ignore_conflicts=True,
    )
    sent, pdf = 0, None
    to_email = decision.deliveries.filter(emailed_at__isnull=True).exclude(recipient__email="")
    for delivery in to_email.select_related("recipient"):
        token = timezone.now()
        stale_before = token - dt.timedelta(seconds=stale_seconds())
        # Claim the e-mail: two workers delivering the same decision send it once.
        claimed = (
            Delivery.objects.filter(pk=delivery.pk, emailed_at__isnull=True)
            .filter(Q(email_started_at__isnull=True) | Q(email_started_at__lt=stale_before))
            .update(email_started_at=token)
        )
        if not claimed:
            continue
        try:
            if pdf is None:
                with decision.file.open("rb") as handle:
                    pdf = handle.read()
            _email_decision(decision, delivery.recipient, pdf)
        except Exception:
            Delivery.objects.filter(pk=delivery.pk, email_started_at=token).update(
                email_started_at=None
            )
            raise
        Delivery.objects.filter(pk=delivery.pk, email_started_at=token).update(
            emailed_at=timezone.now()
        )
        sent += 1
    if not to_email.exists():
        with transaction.atomic():
            first = Decision.objects.filter(pk=decision.pk, delivered_at__isnull=True).update(
                delivered_at=timezone.now()
            )
            if first:
                deliveries = decision.deliveries.select_related("recipient").order_by("id")
                audit_append(
                    action="decision_delivered",
                    proposal=decision.proposal,
                    data={
                        "decision": decision.pk,
                        "recipients": [d.recipient.get_username() for d in deliveries],
                        "emailed": sum(1 for d in deliveries if d.emailed_at),
                    },
                )
    return sent


def decision_acknowledge(*, decision: Decision, user) -> dt.datetime:
    """The official named in the decision confirms receipt; a second call changes nothing."""
    if decision.proposal.official.user_id is None or decision.proposal.official.user_id != user.pk:
        raise NotTheOfficial(
            _("Only the official named in the decision acknowledges it."), code="not_the_official"
        )
    if decision.status != READY:
        raise DocumentNotReady(decision.status)
    with transaction.atomic():
        delivery, _created = Delivery.objects.get_or_create(
            decision=decision, recipient=user, defaults={"reason": Delivery.Reason.SUBJECT}
        )
        # Lock: a double click records one acknowledgement and one audit event.
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.acknowledged_at is None:
            delivery.acknowledged_at = timezone.now()
            delivery.save(update_fields=["acknowledged_at"])
            audit_append(
                action="decision_acknowledged",
                actor=user,
                proposal=decision.proposal,
                data={"decision": decision.pk},
            )
    return delivery.acknowledged_at


# --- The sweep ------------------------------------------------------------------------------


def documents_sweep(*, older_than: float | None = None) -> dict:
    """Re-queue work that a lost message or a dead worker left: rows pending or rendering for
    longer than `older_than` seconds (default: the stale threshold), and ready decisions not yet
    delivered. Rows claimed too often are marked failed. Celery beat runs this every minute."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds() if older_than is None else older_than)
    counts = {"decisions": 0, "documents": 0, "deliveries": 0, "failed": 0}
    for model, on_failed in ((Decision, _decision_failed), (ProposalDocument, _document_failed)):
        worn_out = model.objects.filter(
            status=RENDERING, render_started_at__lt=cutoff, render_attempts__gte=max_attempts()
        )
        for pk, started in worn_out.values_list("pk", "render_started_at"):
            with transaction.atomic():
                if model.objects.filter(pk=pk, status=RENDERING, render_started_at=started).update(
                    status=FAILED, error="too many attempts"
                ):
                    on_failed(pk, RuntimeError("too many attempts; the worker kept dying"))
                    counts["failed"] += 1
    stuck = Q(status=PENDING, render_started_at__isnull=True, created_at__lt=cutoff) | Q(
        status__in=[PENDING, RENDERING], render_started_at__lt=cutoff
    )
    for pk in Decision.objects.filter(stuck).values_list("pk", flat=True):
        counts["decisions"] += enqueue("render_decision", pk)
    for pk in ProposalDocument.objects.filter(stuck).values_list("pk", flat=True):
        counts["documents"] += enqueue("render_proposal_document", pk)
    undelivered = Decision.objects.filter(
        status=READY, delivered_at__isnull=True, rendered_at__lt=cutoff
    )
    for pk in undelivered.values_list("pk", flat=True):
        counts["deliveries"] += enqueue("deliver_decision", pk)
    if any(counts.values()):
        logger.info("Document sweep: %s", counts)
    return counts
