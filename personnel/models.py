"""The personnel registry: units, posts, officials, who holds what, planning, and the bodies
that decide (Committee) and advise (Board). Structure, titles and policy are data (SPEC §2)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lib.dates import short_date
from lib.models import dates_ordered, validity_ordered
from lib.text import fold


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")
        TOWN = "town", _("Town")
        WARD = "ward", _("Ward")
        AGENCY = "agency", _("Agency")

    # Commune-level units: the ones the non-local target counts.
    COMMUNE_LEVEL = (Kind.COMMUNE, Kind.TOWN, Kind.WARD)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["name"]
        constraints = [validity_ordered("orgunit_dates_ordered")]

    def __str__(self):
        return self.name

    @property
    def is_commune_level(self):
        return self.kind in self.COMMUNE_LEVEL


class PositionTitle(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # Higher number = higher post; "equivalent post" compares levels.
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    is_standing = models.BooleanField(_("standing member"), default=False)
    requires_non_local = models.BooleanField(_("must be non-local"), default=False)
    is_head = models.BooleanField(_("head of the unit"), default=False)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("position title")
        verbose_name_plural = _("position titles")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Position(models.Model):
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.ForeignKey(
        PositionTitle, verbose_name=_("title"), on_delete=models.PROTECT, related_name="positions"
    )
    name = models.CharField(
        _("name"),
        max_length=300,
        help_text=_("Full name of the post, e.g. Bí thư Đảng ủy xã Tú Lý"),
    )
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit__name", "title__order"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="position_unique_title_in_unit"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="position_seats_positive"),
        ]

    def __str__(self):
        return self.name


class Official(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    # The id the official has in the source register (CSV import); re-imports match on it.
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        help_text=_("Identifier in the source personnel register, used by the CSV import."),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    # Folded copy of the name (no diacritics, lower case) for search; kept in step by save().
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    hometown_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("hometown"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    birthplace_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("birthplace"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=50, blank=True)
    party_join_date = models.DateField(_("party join date"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="official",
    )

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["search_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="official_unique_external_id",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.full_name)
        if kwargs.get("update_fields") is not None and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)


class Assignment(models.Model):
    official = models.ForeignKey(
        Official, verbose_name=_("official"), on_delete=models.PROTECT, related_name="assignments"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="assignments"
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    is_concurrent = models.BooleanField(
        _("concurrent post"), default=False, help_text=_("Held alongside the official's main post.")
    )
    decision_ref = models.CharField(
        _("decision reference"),
        max_length=100,
        blank=True,
        help_text=_("Number of the decision that made this assignment, e.g. Số 12-QĐ/HU"),
    )
    # A posting (workflow/postings.py) points both assignments at its decision: the new one at
    # the decision that made it, the one left behind at the decision that ended it. Two fields,
    # so the old assignment keeps the decision that made it. Plain ids: documents sit above
    # personnel, so the registry holds no key to them.
    decision_id = models.BigIntegerField(
        _("decision"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The decision in the system that made this assignment."),
    )
    end_decision_id = models.BigIntegerField(
        _("ending decision"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The decision in the system that ended this assignment."),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start", "id"]
        constraints = [
            dates_ordered("assignment_dates_ordered"),
            models.UniqueConstraint(
                fields=["official", "position"],
                condition=Q(end__isnull=True),
                name="assignment_one_open_per_official_and_position",
            ),
        ]
        indexes = [models.Index(fields=["position", "start", "end"])]

    def __str__(self):
        return f"{self.official} — {self.position} ({short_date(self.start)})"

    def is_active_on(self, day):
        return self.start <= day and (self.end is None or self.end >= day)


class Committee(models.Model):
    """The deciding body (Ban Thường vụ), with its document identity and its policy (SPEC §3)."""

    class LocalityRule(models.TextChoices):
        HOMETOWN_OR_BIRTHPLACE = "either", _("Hometown or birthplace in the unit")
        HOMETOWN = "hometown", _("Hometown in the unit")
        BIRTHPLACE = "birthplace", _("Birthplace in the unit")

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit governed"),
        on_delete=models.PROTECT,
        related_name="committees",
        help_text=_("The committee decides for the units in this unit's subtree."),
    )
    collective_name = models.CharField(
        _("collective name"), max_length=200, help_text=_("e.g. BAN THƯỜNG VỤ HUYỆN ỦY")
    )
    issuing_body_name = models.CharField(
        _("issuing body"), max_length=200, help_text=_("e.g. HUYỆN ỦY ĐÀ BẮC")
    )
    superior_body_name = models.CharField(
        _("superior body"), max_length=200, help_text=_("e.g. ĐẢNG BỘ TỈNH HÒA BÌNH")
    )
    symbol = models.CharField(_("document symbol"), max_length=20, help_text=_("e.g. HU"))
    place_name = models.CharField(_("place name"), max_length=100, help_text=_("e.g. Đà Bắc"))
    is_active = models.BooleanField(_("active"), default=True)

    # Policy (SPEC §3), editable in the admin.
    min_rotation_months = models.PositiveSmallIntegerField(
        _("minimum rotation (months)"), default=36
    )
    max_secondment_months = models.PositiveSmallIntegerField(
        _("maximum secondment (months)"), default=36
    )
    min_remaining_service_years = models.PositiveSmallIntegerField(
        _("minimum remaining service (years)"), default=10
    )
    locality_rule = models.CharField(
        _("who counts as local"),
        max_length=16,
        choices=LocalityRule.choices,
        default=LocalityRule.HOMETOWN_OR_BIRTHPLACE,
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=3)
    non_local_target_percent = models.PositiveSmallIntegerField(
        _("non-local target (%)"), default=80
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1)
                & Q(quorum_numerator__lte=F("quorum_denominator")),
                name="committee_quorum_is_a_fraction",
            ),
            models.CheckConstraint(
                condition=Q(non_local_target_percent__lte=100), name="committee_target_percent"
            ),
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


def member_user(related_name: str) -> models.ForeignKey:
    """The login a membership belongs to; a user with memberships is never deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class DatedMembership(models.Model):
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_active_on(self, day):
        return self.start <= day and (self.end is None or self.end >= day)


class CommitteeMember(DatedMembership):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair (Secretary)")
        DEPUTY = "deputy", _("Standing deputy")
        MEMBER = "member", _("Member")

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="members"
    )
    user = member_user("committee_memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "role", "user__username"]
        constraints = [
            dates_ordered("committeemember_dates_ordered"),
            models.UniqueConstraint(
                fields=["committee", "user"],
                condition=Q(end__isnull=True),
                name="committeemember_one_open_membership",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class CommitteeOfficeMember(DatedMembership):
    """Staff of the committee office (Văn phòng), who issue decisions and apply postings."""

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="office_staff",
    )
    user = member_user("office_memberships")

    class Meta:
        verbose_name = _("office staff member")
        verbose_name_plural = _("office staff")
        constraints = [dates_ordered("officemember_dates_ordered")]

    def __str__(self):
        return str(self.user)


class Board(models.Model):
    """The advisory body (Ban Tổ chức) that appraises proposals for a committee."""

    committee = models.OneToOneField(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="board"
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Ban Tổ chức Huyện ủy"))

    class Meta:
        verbose_name = _("organisation board")
        verbose_name_plural = _("organisation boards")

    def __str__(self):
        return self.name


class BoardMember(DatedMembership):
    class Role(models.TextChoices):
        HEAD = "head", _("Head")
        MEMBER = "member", _("Member (reviewer)")
        SPECIALIST = "specialist", _("Specialist (not a reviewer)")

    board = models.ForeignKey(
        Board, verbose_name=_("board"), on_delete=models.CASCADE, related_name="members"
    )
    user = member_user("board_memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        constraints = [dates_ordered("boardmember_dates_ordered")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class ProposerScope(DatedMembership):
    """A user may propose moves for officials whose current post is inside `unit`'s subtree."""

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="proposer_scopes",
    )
    user = member_user("proposer_scopes")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("proposer scope")
        verbose_name_plural = _("proposer scopes")
        constraints = [dates_ordered("proposerscope_dates_ordered")]

    def __str__(self):
        return f"{self.user} → {self.unit}"


class Term(models.Model):
    class Kind(models.TextChoices):
        PARTY = "party", _("Party committee term")
        COUNCIL = "council", _("People's Council term")

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 2020–2025"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="terms",
        help_text=_("The body whose term this is; empty for a nationwide council term."),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["kind", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="term_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"

    def contains(self, day):
        return self.start <= day <= self.end


class PlanningEntry(models.Model):
    official = models.ForeignKey(
        Official, verbose_name=_("official"), on_delete=models.CASCADE, related_name="planning"
    )
    title = models.ForeignKey(
        PositionTitle, verbose_name=_("title"), on_delete=models.PROTECT, related_name="+"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="+"
    )
    decision_ref = models.CharField(_("planning decision"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("planning entry")
        verbose_name_plural = _("planning entries")
        constraints = [
            models.UniqueConstraint(
                fields=["official", "title", "term"], name="planning_unique_per_title_and_term"
            ),
        ]

    def __str__(self):
        return f"{self.official} → {self.title} ({self.term.name})"
