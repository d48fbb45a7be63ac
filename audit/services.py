"""The append-only, hash-chained audit log (SPEC §4 Audit).

Each event's hash covers its content and the previous event's hash, so editing or deleting any
row breaks every link after it. Appends are serialised by locking the single chain-head row.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _digest(*, prev_hash, proposal_id, actor_id, at, action, from_state, to_state, comment, data):
    payload = json.dumps(
        {
            "prev": prev_hash,
            "proposal": proposal_id,
            "actor": actor_id,
            "at": at.isoformat(timespec="microseconds"),
            "action": action,
            "from": from_state,
            "to": to_state,
            "comment": comment,
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return _digest(
        prev_hash=event.prev_hash,
        proposal_id=event.proposal_id,
        actor_id=event.actor_id,
        at=event.at,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        comment=event.comment,
        data=event.data,
    )


def audit_append(
    *,
    action: str,
    actor=None,
    proposal=None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event; must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction it records")
    # Lock the head: concurrent appends queue here, so the chain never forks.
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # An empty database (the migration creates the row; a flushed test database has none).
        AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    # Round-trip the data through JSON so the hash is computed on what the database returns.
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    event = AuditEvent(
        proposal_id=proposal.pk if proposal is not None else None,
        actor=actor,
        at=timezone.now(),
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        comment=comment or "",
        data=data,
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    head.last_hash = event.hash
    head.count += 1
    head.save(update_fields=["last_hash", "count"])
    return event


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str = ""


def audit_verify() -> ChainReport:
    """Walk the chain in id order; name the first event whose link or content does not match."""
    prev = GENESIS
    checked = 0
    last_id = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(
                False,
                checked,
                event.id,
                "liên kết tới sự kiện trước bị đứt (previous link broken: an event before it "
                "was removed or changed)",
            )
        if event_hash(event) != event.hash:
            return ChainReport(False, checked, event.id, "nội dung đã bị sửa (content was altered)")
        prev = event.hash
        last_id = event.id
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return ChainReport(
            False,
            checked,
            last_id,
            "các sự kiện cuối chuỗi đã bị xóa (events at the end of the chain were removed)",
        )
    return ChainReport(True, checked)
