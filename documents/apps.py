from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Decisions")

    def ready(self):
        from audit.services import ANCHOR_SOURCES

        from .selectors import audit_anchors

        ANCHOR_SOURCES.append(audit_anchors)
