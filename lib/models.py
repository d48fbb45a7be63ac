"""Model pieces the apps share."""

from django.db import models
from django.db.models import F, Q


def dates_ordered(name: str) -> models.CheckConstraint:
    """A dated row (`start`, `end`) does not end before it starts; an open end is fine."""
    return models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")), name=name)


def validity_ordered(name: str) -> models.CheckConstraint:
    """A row valid from … to … (either may be open) does not end before it starts."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True)
        | Q(valid_from__isnull=True)
        | Q(valid_to__gte=F("valid_from")),
        name=name,
    )
