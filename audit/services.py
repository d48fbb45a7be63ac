"""The append-only, hash-chained audit log (SPEC §4 Audit, §11).

Each event's hash is an HMAC-SHA256, keyed with AUDIT_KEY (kept outside the database), over its
content and the previous event's hash: editing or deleting any row breaks every link after it,
and whoever holds only the database cannot compute the hashes of a rewritten chain. Appends are
serialised by locking the single chain-head row. The head is also anchored outside the
database's control: each issued decision stores (and prints) the chain's length and hash at its
issue, so a chain truncated and restarted no longer matches the decisions already out.

Lock order (to rule out deadlocks): a transaction takes the chain head LAST, after every row
lock it needs (the proposal, a decision, a number series), and keeps it until it commits. An
audit event refers to its proposal by a plain id, with no foreign key, so writing one never waits
for a proposal row: a user action (proposal row, then head) and the worker (decision row, then
head) can wait on each other's head only, never in a cycle. Never lock another row after
audit_append in the same transaction.
"""

import hashlib
import hmac
import inspect
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def audit_key() -> bytes:
    """AUDIT_KEY, or in DEBUG and demo installations a key derived from SECRET_KEY."""
    if settings.AUDIT_KEY:
        return settings.AUDIT_KEY.encode("utf-8")
    if settings.DEBUG or settings.DEMO_MODE:
        return hashlib.sha256(f"audit-chain:{settings.SECRET_KEY}".encode()).digest()
    raise ImproperlyConfigured("AUDIT_KEY is required (see the README's configuration table)")


def payload(*, prev_hash, proposal_id, actor_id, at, action, from_state, to_state, comment, data):
    """The canonical bytes an event's hash covers."""
    return json.dumps(
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
    ).encode("utf-8")


# The fields of an event that its hash covers: the arguments of `payload`.
HASHED_FIELDS = tuple(inspect.signature(payload).parameters)


def event_fields(event) -> dict:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def event_hash(event: AuditEvent, *, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), payload(**event_fields(event)), hashlib.sha256).hexdigest()


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
    """Append one event; must run inside the transaction of the change it records, after every
    row lock that transaction needs (see the lock order above). The event's `seq` is its
    position in the chain, counted from 1: (seq, hash) is the chain head it leaves."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction it records")
    # Lock the head: concurrent appends queue here, so the chain never forks. This is the last
    # lock of the transaction (see the lock order above); it is held until the commit.
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
    event.seq = head.count
    return event


# Where the chain head is anchored outside the audit tables: callables (registered by the apps
# above this one) yielding (label, seq, hash) for each anchor they keep.
ANCHOR_SOURCES = []


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str = ""
    anchors: int = 0


def audit_verify() -> ChainReport:
    """Walk the chain in id order; name the first event whose link or keyed hash does not
    match, then check the head and every anchor kept outside the chain."""
    anchors, anchored = {}, 0
    for source in ANCHOR_SOURCES:
        for label, seq, hash_ in source():
            anchors.setdefault(seq, []).append((label, hash_))
            anchored += 1
    key = audit_key()
    prev, checked, last_id = GENESIS, 0, None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(
                False,
                checked,
                event.id,
                gettext(
                    "The link to the previous event is broken: an event before it was removed."
                ),
            )
        if not hmac.compare_digest(event_hash(event, key=key), event.hash):
            return ChainReport(
                False,
                checked,
                event.id,
                gettext("The content was altered, or hashed without the audit key."),
            )
        prev, last_id, checked = event.hash, event.id, checked + 1
        for label, hash_ in anchors.pop(checked, []):
            if hash_ != prev:
                return ChainReport(
                    False,
                    checked,
                    event.id,
                    gettext("%(anchor)s anchors another chain: the log was rewritten.")
                    % {"anchor": label},
                )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return ChainReport(
            False, checked, last_id, gettext("Events at the end of the chain were removed.")
        )
    if anchors:
        seq = min(anchors)
        label = anchors[seq][0][0]
        reason = gettext(
            "%(anchor)s anchors event %(seq)s of the chain, which is gone: the log was truncated."
        ) % {"anchor": label, "seq": seq}
        return ChainReport(False, checked, last_id, reason)
    return ChainReport(True, checked, anchors=anchored)
