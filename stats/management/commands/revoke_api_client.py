from django.core.management.base import BaseCommand, CommandError

from stats.models import ApiClient
from stats.services import api_client_revoke


class Command(BaseCommand):
    help = "Revoke a client of the statistics API: its key stops working at once, for good."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")

    def handle(self, *args, **options) -> None:
        client = ApiClient.objects.filter(name=options["name"]).first()
        if client is None:
            raise CommandError(f"No client named {options['name']!r}.")
        api_client_revoke(client=client, by=None)
        self.stdout.write(f"Revoked {client.name!r}.")
