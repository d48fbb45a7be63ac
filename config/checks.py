"""System checks of the project's own settings; `manage.py check --deploy` runs them."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def demo_mode_off(app_configs, **kwargs):
    """Demo accounts share the password "demo": never in production."""
    if getattr(settings, "DEMO_MODE", False):
        return [
            Error(
                "DEMO_MODE is on: demo accounts with the password 'demo' may sign in.",
                hint="Unset DEMO_MODE (or set DEMO_MODE=false) in production.",
                id="config.E001",
            )
        ]
    return []
