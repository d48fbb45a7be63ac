"""Numbered decisions (Quyết định) and their rendered files (SPEC §5)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_verify_code() -> str:
    # 24 random bytes = 192 bits, URL-safe.
    return secrets.token_urlsafe(24)


class NumberSeries(models.Model):
    """The last number used in one series: issuing body × document type × term (Party) or year (State).

    Locking this row while issuing makes numbers gap-free and unique under concurrency: a
    rolled-back issue rolls the counter back with it.
    """

    committee = models.ForeignKey(
        "personnel.Committee", on_delete=models.PROTECT, related_name="number_series"
    )
    doc_type = models.CharField(max_length=16)
    # "term:<id>" for Party documents (HD 36: from 01 in each committee term), "year:<yyyy>" for State.
    period = models.CharField(max_length=32)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "doc_type", "period"], name="numberseries_unique"
            ),
        ]

    def __str__(self):
        return f"{self.committee} {self.doc_type} {self.period}: {self.last_number}"


class Decision(models.Model):
    class Form(models.TextChoices):
        PARTY = "party", _("Party document (HD 36)")
        STATE = "state", _("State document (NĐ 30)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be rendered")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Rendering failed")

    class SignerRole(models.TextChoices):
        CHAIR = "chair", _("Secretary")
        DEPUTY = "deputy", _("Deputy Secretary")

    proposal = models.OneToOneField(
        "workflow.RotationProposal",
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="decision",
    )
    committee = models.ForeignKey(
        "personnel.Committee", verbose_name=_("issuing body"), on_delete=models.PROTECT
    )
    form = models.CharField(_("form"), max_length=8, choices=Form.choices, default=Form.PARTY)
    doc_type = models.CharField(_("document type"), max_length=16, default="QĐ")
    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveIntegerField(_("number"))
    issued_on = models.DateField(_("issued on"))
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_role = models.CharField(_("signer role"), max_length=8, choices=SignerRole.choices)
    signer_name = models.CharField(_("signer name"), max_length=200)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    verify_code = models.CharField(max_length=64, unique=True, default=new_verify_code)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="decisions/%Y/", blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    render_started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="decision_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="decision_number_positive"),
        ]

    def __str__(self):
        return self.number_display

    @property
    def number_label(self) -> str:
        """125-QĐ/HU (Party) or 125/QĐ-UBND (State); numbers below 10 are written 01…09."""
        number = f"{self.number:02d}"
        if self.form == self.Form.STATE:
            return f"{number}/{self.doc_type}-{self.committee.symbol}"
        return f"{number}-{self.doc_type}/{self.committee.symbol}"

    @property
    def number_display(self) -> str:
        """As printed: "Số 125-QĐ/HU" (Party, no colon) or "Số: 125/QĐ-UBND" (State)."""
        if self.form == self.Form.STATE:
            return f"Số: {self.number_label}"
        return f"Số {self.number_label}"
