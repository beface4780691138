from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stats.models import ApiClient
from stats.services import api_client_create


class Command(BaseCommand):
    help = (
        "Create a client of the statistics API and print its key, once: only a hash of it is kept. "
        "The client sends it as `Authorization: Token <key>`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="who the client is (unique), e.g. the donor's or project's name")
        parser.add_argument("--days", type=int, default=365, help="days until the key expires (default 365)")
        parser.add_argument(
            "--quota", type=int, default=None, help="distinct cells per day (default STATS_DAILY_CELL_QUOTA)"
        )

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name or len(name) > 50:
            raise CommandError("Give a name of 1 to 50 characters.")
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"A client named {name!r} exists already.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        quota = settings.STATS_DAILY_CELL_QUOTA if options["quota"] is None else options["quota"]
        if quota < 1:
            raise CommandError("--quota must be at least 1.")
        client, key = api_client_create(name=name, days=options["days"], daily_cell_quota=quota)
        self.stdout.write(f"Client {client.name!r}, expires {client.expiry_date:%Y-%m-%d}, {quota} cells per day.")
        self.stdout.write("Its key, shown this once (keep it safe; only a hash is stored):")
        self.stdout.write(key)
