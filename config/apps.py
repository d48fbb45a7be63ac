from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project package as an app, for its system checks (config/checks.py)."""

    name = "config"
    label = "project_config"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
