from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import focal_point_invite


class Command(BaseCommand):
    help = "Create a focal point account for one State and e-mail a one-time set-password link."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--state", required=True, help="ISO 3166 alpha-3 code of the State")
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="full name")

    def handle(self, *args, **options) -> None:
        try:
            user = focal_point_invite(email=options["email"], state_iso3=options["state"], full_name=options["name"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Invited focal point {user.email} for {user.state.name}.")
