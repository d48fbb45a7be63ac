"""python manage.py apply_due_postings: put into effect every issued decision whose effective
date has come (the same service as the daily Celery beat task)."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.dates import short_date
from workflow.postings import postings_apply_due


class Command(BaseCommand):
    help = (
        "Apply the postings of issued decisions whose effective date has come; a failure of one "
        "proposal is reported and does not stop the others."
    )

    def handle(self, *args, **options):
        run = postings_apply_due(today=timezone.localdate())
        for p in run.posted:
            self.stdout.write(
                _("Posted proposal #%(pk)s: %(official)s → %(post)s, effective %(day)s.")
                % {
                    "pk": p.pk,
                    "official": p.official.full_name,
                    "post": p.target_position.name,
                    "day": short_date(p.effective_date),
                }
            )
        for p, message in run.failed:
            self.stderr.write(
                self.style.ERROR(
                    _("Proposal #%(pk)s not posted: %(error)s") % {"pk": p.pk, "error": message}
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(day)s: %(posted)s posted, %(failed)s failed, %(skipped)s skipped.")
                % {
                    "day": short_date(run.today),
                    "posted": len(run.posted),
                    "failed": len(run.failed),
                    "skipped": len(run.skipped),
                }
            )
        )
