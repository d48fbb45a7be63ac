"""API tokens (django-rest-knox): only a SHA-512 digest is stored, each token expires after
REST_KNOX["TOKEN_TTL"], and a password change revokes them all."""

from knox.models import AuthToken


def issue_token(user) -> tuple[AuthToken, str]:
    """A new token for `user`: the stored row and the key, shown once."""
    return AuthToken.objects.create(user)


def user_tokens(user):
    return AuthToken.objects.filter(user=user).order_by("-created")


def revoke_token(user, digest: str) -> bool:
    deleted, _rows = AuthToken.objects.filter(user=user, digest=digest).delete()
    return bool(deleted)


def revoke_tokens_on_password_change(sender, instance, **kwargs):
    """post_save of the user: `set_password` leaves the new raw password in `_password` until
    the save is over, whoever changed it (the user, a reset link, the admin)."""
    if getattr(instance, "_password", None) is not None:
        AuthToken.objects.filter(user=instance).delete()
