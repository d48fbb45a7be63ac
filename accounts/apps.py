from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-in and API tokens (SPEC §11): throttled logins, expiring, revocable, hashed tokens
    that die with a password change."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from lib.middleware import mark_session_renewed

        from .services import revoke_tokens_on_password_change

        # Signing in saves a fresh session: the idle timer starts there, with no second write.
        user_logged_in.connect(mark_session_renewed, dispatch_uid="accounts.session_renewed")

        post_save.connect(
            revoke_tokens_on_password_change,
            sender=get_user_model(),
            dispatch_uid="accounts.revoke_tokens_on_password_change",
        )
