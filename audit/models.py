"""The append-only, hash-chained audit log (SPEC §4 Audit); audit/services.py writes and checks it.

The app sits below documents and workflow, so an event keeps the proposal's id as a plain column
rather than a foreign key. The tables keep the names they had in the workflow app.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only, hash-chained record of everything done (SPEC §4 Audit)."""

    proposal_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system acted."),
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=64)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        db_table = "workflow_auditevent"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]


class AuditChainHead(models.Model):
    """A single row holding the last hash; locking it serialises appends to the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "workflow_auditchainhead"
