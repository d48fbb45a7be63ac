"""python manage.py verify_audit: walk the audit hash chain and check its anchors; exit 1 naming
the first broken event."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the keyed hash chain of the audit log and its anchors; exit 1 if broken."

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            where = (
                gettext("at event %(event)s") % {"event": report.broken_event_id}
                if report.broken_event_id
                else gettext("before its first event")
            )
            raise CommandError(
                gettext(
                    "The audit chain is broken %(where)s: %(reason)s "
                    "%(checked)s events verified before it."
                )
                % {"where": where, "reason": report.reason, "checked": report.checked},
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                gettext("The audit chain is intact: %(checked)s events, %(anchors)s anchors.")
                % {"checked": report.checked, "anchors": report.anchors}
            )
        )
