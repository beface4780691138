import getpass

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.second_factor import second_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a secretariat member's authenticator app and recovery codes (a lost phone) and end the member's "
        "sessions; at the next sign-in the member sets up a new app. Check who is asking before running it. "
        "Audited, with the operator."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="the member whose second factor is reset")
        parser.add_argument(
            "--by", default="", help="the e-mail address of the operator's own secretariat account, for the audit row"
        )

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account has the address {options['email']}.")
        by = None
        if options["by"]:
            by = User.objects.filter(email__iexact=options["by"].strip()).first()
            if by is None or not by.is_secretariat:
                raise CommandError(f"{options['by']} is not an active secretariat account.")
        # The shell account that ran the command is recorded whether or not --by names a portal account.
        removed = second_factor_reset(user=user, by=by, operator=getpass.getuser())
        self.stdout.write(
            f"Removed {removed} second-factor device(s) of {user.email} and ended their sessions; "
            "they will set up a new authenticator app at their next sign-in."
        )
