"""`python manage.py seed_demo`: the demo registry of SPEC §10, idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from demo.builder import DEMO_PASSWORD, DemoBuilder


class Command(BaseCommand):
    help = (
        "Builds the Đà Bắc demo data (SPEC §10); running it again changes nothing. "
        'Every demo account has the password "demo": needs DEMO_MODE=true or --force.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo accounts even when DEMO_MODE is off.",
        )

    def handle(self, *args, force=False, **options):
        if not (settings.DEMO_MODE or force):
            raise CommandError(
                _(
                    "Demo mode is off: no demo accounts with the password “demo”. Set "
                    "DEMO_MODE=true or pass --force."
                )
            )
        demo = DemoBuilder()
        with transaction.atomic():
            demo.build_units()
            demo.build_titles()
            demo.build_positions()
            demo.build_committee_and_terms()
            demo.build_users()
            demo.build_officials()
            demo.build_memberships()
            demo.build_planning()
            demo.build_documents()
            # Through the workflow's services, so every step has its audit event.
            demo.build_history()
            demo.build_proposals(today=timezone.localdate())

        stats = demo.stats
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data: %(created)s records created, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % stats
            )
        )
        self.stdout.write(
            _("Demo accounts, password “%(password)s”:") % {"password": DEMO_PASSWORD}
        )
        width = max(len(username) for username, _role in demo.account_lines())
        for username, role in demo.account_lines():
            self.stdout.write(f"  {username:<{width}}  {DEMO_PASSWORD}  {role}")
