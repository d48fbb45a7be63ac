"""`check --deploy`: production needs AUDIT_KEY (SPEC §11: the audit chain is keyed with a secret
kept outside the database)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def audit_key_set(app_configs, **kwargs):
    if settings.AUDIT_KEY or settings.DEBUG or settings.DEMO_MODE:
        return []
    return [
        Error(
            "AUDIT_KEY is not set: the audit chain cannot be keyed.",
            hint="Set AUDIT_KEY in the environment to a long random secret kept outside the "
            "database (see the README's configuration table).",
            id="audit.E001",
        )
    ]
