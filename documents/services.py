"""Writes for decisions: numbering and issuing. Rendering and delivery build on these."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from personnel.models import Term

from .models import Decision, NumberSeries


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
        raise ValidationError(
            f"Chưa khai báo nhiệm kỳ của {committee} chứa ngày {day:%d/%m/%Y} "
            f"(no committee term covers this date)."
        )
    return f"term:{term.pk}"


def decision_number_next(*, committee, doc_type: str, form: str, day: dt.date) -> tuple:
    """Take the next number of the series, holding the series row locked until commit."""
    period = _period_for(committee=committee, form=form, day=day)
    series, _ = NumberSeries.objects.get_or_create(
        committee=committee, doc_type=doc_type, period=period
    )
    # Lock the row: two clerks may issue at the same moment; the second waits for the first.
    series = NumberSeries.objects.select_for_update().get(pk=series.pk)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series, series.last_number


def decision_issue(
    *,
    proposal,
    signer,
    signer_role: str,
    signer_name: str,
    issued_by,
    issued_on: dt.date | None = None,
    form: str = Decision.Form.PARTY,
) -> Decision:
    """Create the numbered decision for an approved proposal. Call inside the transaction that
    moves the proposal to `issued`, so that a rollback also gives the number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("decision_issue must run inside a transaction")
    day = issued_on or timezone.localdate()
    series, number = decision_number_next(
        committee=proposal.committee, doc_type="QĐ", form=form, day=day
    )
    return Decision.objects.create(
        proposal=proposal,
        committee=proposal.committee,
        form=form,
        doc_type="QĐ",
        series=series,
        number=number,
        issued_on=day,
        signer=signer,
        signer_role=signer_role,
        signer_name=signer_name,
        issued_by=issued_by,
    )
