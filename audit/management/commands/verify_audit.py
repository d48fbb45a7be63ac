"""python manage.py verify_audit: walk the audit hash chain; exit 1 naming the first broken event."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit non-zero at the first broken event."

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ tại sự kiện {report.broken_event_id}: {report.reason} "
                f"(audit chain broken at event {report.broken_event_id}; "
                f"{report.checked} events verified before it).",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Chuỗi nhật ký toàn vẹn: {report.checked} sự kiện "
                f"(audit chain intact: {report.checked} events)."
            )
        )
