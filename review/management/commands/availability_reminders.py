"""Remind the experts who were asked for their availability and have stayed silent past N days."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser

from review.selectors import availability_silences
from review.services import availability_reminders_send


class Command(BaseCommand):
    help = "Send a reminder, with a fresh link, to each expert silent for more than --days since the last mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="Days of silence before a reminder (default 7).")
        parser.add_argument("--dry-run", action="store_true", help="List the silences without writing to anyone.")

    def handle(self, *args: object, days: int, dry_run: bool, **options: object) -> None:
        older_than = timedelta(days=days)
        if dry_run:
            for entry in availability_silences(older_than=older_than):
                self.stdout.write(f"entry {entry.pk}: need {entry.need_id}, expert {entry.expert_id}")
            return
        sent = availability_reminders_send(older_than=older_than)
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
