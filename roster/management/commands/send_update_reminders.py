from django.conf import settings
from django.core.management.base import BaseCommand

from roster.reminders import expert_update_reminders_send


class Command(BaseCommand):
    help = (
        "Keep the roster current. Active profiles not confirmed for ROSTER_STALE_AFTER_DAYS are stale: the expert "
        "gets a new one-time confirmation link and the focal points of the nominating State a list, at most once "
        "per ROSTER_REMINDER_INTERVAL_DAYS per expert. A profile stale for longer than ROSTER_STALE_GRACE_DAYS more, "
        "and reminded since it became stale, becomes inactive (audited). Run it daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say what would be done; write and send nothing")

    def handle(self, *args, **options) -> None:
        run = expert_update_reminders_send(dry_run=options["dry_run"])
        prefix = "Would make" if run.dry_run else "Made"
        # Ids and States only: the output ends up in logs, which are no place for names.
        self.stdout.write(
            f"{prefix} {len(run.deactivated)} profile(s) inactive "
            f"(stale for more than {settings.ROSTER_STALE_AFTER_DAYS}+{settings.ROSTER_STALE_GRACE_DAYS} days)."
        )
        for expert in run.deactivated:
            self.stdout.write(f"  inactive: expert {expert.pk} ({expert.nominating_state_id})")
        verb = "Would remind" if run.dry_run else "Reminded"
        self.stdout.write(f"{verb} {len(run.reminded)} expert(s); {run.focal_point_mails} focal point(s) informed.")
        for expert in run.reminded:
            self.stdout.write(f"  reminded: expert {expert.pk} ({expert.nominating_state_id})")
        if run.dry_run:
            self.stdout.write("Dry run: nothing was written or sent.")
