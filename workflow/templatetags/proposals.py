"""Display helpers of the workflow pages."""

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def months(value):
    """36 → "36 months" (translated); empty for no duration."""
    if value in (None, ""):
        return ""
    value = int(value)
    return ngettext("%(n)d month", "%(n)d months", value) % {"n": value}


@register.filter
def person(user):
    """A user's full name, else the account's name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
