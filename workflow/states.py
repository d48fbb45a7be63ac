"""A proposal's states and kinds: the choices the model stores and the transitions declare
(workflow/transitions.py); their labels are the catalogue's."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for revision")
    ENDORSED = "endorsed", _("Endorsed to the Standing Committee")
    VOTING = "voting", _("Voting")
    APPROVED = "approved", _("Approved by the Standing Committee")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ISSUED = "issued", _("Decision issued")
    IN_EFFECT = "in_effect", _("In effect")
    COMPLETED = "completed", _("Rotation completed")
    REVOKED = "revoked", _("Decision revoked")


class ProposalKind(models.TextChoices):
    ROTATION = "rotation", _("Rotation")
    TRANSFER = "transfer", _("Transfer")
    SECONDMENT = "secondment", _("Secondment")
