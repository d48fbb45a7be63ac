"""URL helpers the apps share."""

from django.urls import NoReverseMatch, reverse


def first_url(names, *args) -> str | None:
    """The URL of the first of `names` that exists, so that a link to a page not built yet is left
    out instead of leading to a 404."""
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None
