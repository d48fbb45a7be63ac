"""python manage.py apply_due_postings: put into effect every issued decision whose effective
date has come (the same service as the daily Celery beat task)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from workflow.postings import postings_apply_due


class Command(BaseCommand):
    help = (
        "Áp dụng các quyết định đã ban hành đến ngày hiệu lực; lỗi của một đề xuất được báo và "
        "không dừng các đề xuất khác. Apply the postings of issued decisions whose effective date "
        "has come; a failure of one proposal is reported and does not stop the others."
    )

    def handle(self, *args, **options):
        run = postings_apply_due(today=timezone.localdate())
        for proposal in run.posted:
            self.stdout.write(
                f"Đã áp dụng đề xuất #{proposal.pk}: {proposal.official.full_name} → "
                f"{proposal.target_position.name}, hiệu lực {proposal.effective_date:%d/%m/%Y} "
                f"(posted)."
            )
        for proposal, message in run.failed:
            self.stderr.write(
                self.style.ERROR(f"Không áp dụng được đề xuất #{proposal.pk}: {message}")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Ngày {run.today:%d/%m/%Y}: áp dụng {len(run.posted)}, lỗi {len(run.failed)}, "
                f"bỏ qua {len(run.skipped)} (posted {len(run.posted)}, failed {len(run.failed)}, "
                f"skipped {len(run.skipped)})."
            )
        )
