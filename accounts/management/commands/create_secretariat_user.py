from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import secretariat_user_invite


class Command(BaseCommand):
    help = "Create a secretariat account and e-mail a one-time set-password link."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="full name")

    def handle(self, *args, **options) -> None:
        try:
            user = secretariat_user_invite(email=options["email"], full_name=options["name"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Invited secretariat member {user.email}.")
