"""python manage.py verify_audit: walk the audit hash chain and check its anchors; exit 1 naming
the first broken event."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the keyed hash chain of the audit log and its anchors; exit 1 if broken."

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            where = f"sự kiện {report.broken_event_id}" if report.broken_event_id else "đầu chuỗi"
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ tại {where}: {report.reason}; "
                f"{report.checked} events verified before it.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Chuỗi nhật ký toàn vẹn: {report.checked} sự kiện, {report.anchors} mốc neo."
            )
        )
