"""Numbered decisions (Quyết định), the board's submissions and vote minutes, their rendered
files, legal bases, per-committee letter settings and delivery to recipients (SPEC §5)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.models import validity_ordered


def new_verify_code() -> str:
    # 24 random bytes = 192 bits, URL-safe.
    return secrets.token_urlsafe(24)


class RenderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be rendered")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Rendering failed")


class Rendered(models.Model):
    """A PDF made in the background: claimed by a worker, retried, then ready or failed."""

    Status = RenderStatus

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    sha256 = models.CharField(max_length=64, blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    render_started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


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


class Decision(Rendered):
    class Form(models.TextChoices):
        PARTY = "party", _("Party document (HD 36)")
        STATE = "state", _("State document (NĐ 30)")

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
    verify_code = models.CharField(max_length=64, unique=True, default=new_verify_code)
    # The audit chain's head as the decision was issued (its length and last hash), printed in
    # the document and so covered by its SHA-256: a copy held outside anchors the chain, which a
    # database administrator can then no longer truncate and restart unnoticed (SPEC §11).
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    audit_hash = models.CharField(max_length=64, blank=True, editable=False)
    file = models.FileField(upload_to="decisions/%Y/", blank=True)
    # What the letter says, frozen at issue: a re-render after the posting (or after a catalogue
    # edit) prints the same text, so the file and its SHA-256 stay the same.
    content = models.JSONField(_("letter content"), default=dict, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

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

    @property
    def file_name(self) -> str:
        """Deterministic: a retried or duplicated render writes the same name."""
        return f"decisions/{self.verify_code}.pdf"

    @property
    def verify_path(self) -> str:
        return f"/verify/{self.verify_code}/"

    @property
    def verify_url(self) -> str:
        return f"{settings.SITE_URL}{self.verify_path}"


class DocumentProfile(models.Model):
    """How one committee's letters look and whom they name. Optional: without a row the
    defaults below apply (HD 36 margins; names derived from the committee's data)."""

    committee = models.OneToOneField(
        "personnel.Committee",
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="document_profile",
    )
    form = models.CharField(
        _("document form"),
        max_length=8,
        choices=Decision.Form.choices,
        default=Decision.Form.PARTY,
        help_text=_("Party documents (HD 36) or State documents (NĐ 30, for People's Committees)."),
    )
    margin_top_mm = models.PositiveSmallIntegerField(_("top margin (mm)"), default=20)
    margin_bottom_mm = models.PositiveSmallIntegerField(_("bottom margin (mm)"), default=20)
    margin_left_mm = models.PositiveSmallIntegerField(_("left margin (mm)"), default=30)
    margin_right_mm = models.PositiveSmallIntegerField(_("right margin (mm)"), default=15)
    body_font_pt = models.PositiveSmallIntegerField(_("body font size (pt)"), default=14)
    signing_collective = models.CharField(
        _("signing collective"),
        max_length=200,
        blank=True,
        help_text=_("After T/M, e.g. BAN THƯỜNG VỤ. Empty: derived from the collective name."),
    )
    chair_title = models.CharField(
        _("chair's title"), max_length=100, blank=True, help_text=_("e.g. BÍ THƯ")
    )
    deputy_title = models.CharField(
        _("deputy's title"), max_length=100, blank=True, help_text=_("e.g. PHÓ BÍ THƯ")
    )
    office_name = models.CharField(
        _("office name"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Văn phòng Huyện ủy. Empty: derived from the collective name."),
    )
    report_to = models.TextField(
        _("copies for information"),
        blank=True,
        default="Ban Tổ chức Tỉnh ủy (để báo cáo)",
        help_text=_("First lines of Nơi nhận, one per line."),
    )

    class Meta:
        verbose_name = _("document settings")
        verbose_name_plural = _("document settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(body_font_pt__gte=12) & Q(body_font_pt__lte=15),
                name="documentprofile_body_font_size",
            ),
        ]

    def __str__(self):
        return str(self.committee)

    @property
    def margins(self) -> dict:
        """The page margins in millimetres, as the letter templates take them."""
        return {
            "top": self.margin_top_mm,
            "bottom": self.margin_bottom_mm,
            "left": self.margin_left_mm,
            "right": self.margin_right_mm,
        }


class LegalBasis(models.Model):
    """One "Căn cứ …" line. Legal bases are data with validity dates: texts are replaced
    (QĐ 50 → QĐ 377; HD 36 → HD 05) and a letter cites those in force on its issue date."""

    committee = models.ForeignKey(
        "personnel.Committee",
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="legal_bases",
        help_text=_("Empty: cited by every committee."),
    )
    form = models.CharField(
        _("document form"),
        max_length=8,
        choices=Decision.Form.choices,
        blank=True,
        help_text=_("Empty: both Party and State documents."),
    )
    text = models.CharField(
        _("text"),
        max_length=500,
        help_text=_("Without the leading dash and the final semicolon, e.g. Căn cứ Điều lệ Đảng"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    for_rotation = models.BooleanField(_("for rotations"), default=True)
    for_transfer = models.BooleanField(_("for transfers"), default=True)
    for_secondment = models.BooleanField(_("for secondments"), default=True)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["order", "id"]
        constraints = [validity_ordered("legalbasis_dates_ordered")]

    def __str__(self):
        return self.text

    def applies_to(self, kind: str) -> bool:
        return {
            "rotation": self.for_rotation,
            "transfer": self.for_transfer,
            "secondment": self.for_secondment,
        }.get(kind, False)


class Delivery(models.Model):
    """A decision in one user's inbox; e-mailed once; acknowledged by the official concerned."""

    class Reason(models.TextChoices):
        SUBJECT = "subject", _("Official concerned")
        UNIT = "unit", _("Recipient unit")

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="decision_deliveries",
    )
    unit = models.ForeignKey(
        "personnel.OrgUnit",
        verbose_name=_("recipient unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    delivered_at = models.DateTimeField(_("delivered at"), default=timezone.now)
    # A sender claims the e-mail first, so two workers never send it twice.
    email_started_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "recipient"], name="delivery_once_per_recipient"
            ),
        ]

    def __str__(self):
        return f"{self.decision} → {self.recipient}"


class ProposalDocument(Rendered):
    """The board's submission (Tờ trình) and the vote minutes (Biên bản kiểm phiếu) of a
    proposal, rendered by the same claim-based machinery as decisions."""

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("Submission")
        MINUTES = "minutes", _("Vote minutes")

    proposal = models.ForeignKey(
        "workflow.RotationProposal",
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    vote_round = models.ForeignKey(
        "workflow.VoteRound",
        verbose_name=_("vote round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # One document per content: "submission:<proposal>:<digest of the snapshot>" or
    # "minutes:<round>"; queuing the same one twice finds the existing row.
    key = models.CharField(max_length=120, unique=True)
    # The file name is random: these are internal papers, never public.
    token = models.CharField(max_length=64, unique=True, default=new_verify_code)
    file = models.FileField(upload_to="documents/", blank=True)

    class Meta:
        verbose_name = _("proposal document")
        verbose_name_plural = _("proposal documents")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} — #{self.proposal_id}"

    @property
    def file_name(self) -> str:
        return f"documents/{self.kind}-{self.token}.pdf"
