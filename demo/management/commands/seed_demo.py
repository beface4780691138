from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.demo import DEMO_PASSWORD, demo_accounts_seed
from needs.demo import demo_needs_seed
from roster.demo import demo_experts_seed


class Command(BaseCommand):
    help = "Create deterministic demo data (fake people) and print the demo logins. Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--experts", type=int, default=0, help="number of demo experts")
        parser.add_argument("--needs", type=int, default=0, help="number of demo needs")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same data")
        parser.add_argument(
            "--force", action="store_true", help="allow demo accounts with a known password while DEBUG is off"
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates accounts with a published password; run it with DEBUG=1 or --force.")
        if options["experts"] < 0 or options["needs"] < 0:
            raise CommandError("--experts and --needs must be zero or more.")
        logins = demo_accounts_seed()
        if options["experts"]:
            created = demo_experts_seed(count=options["experts"], seed=options["seed"])
            self.stdout.write(f"Demo experts: {created} in the roster.")
        if options["needs"]:
            created = demo_needs_seed(count=options["needs"], seed=options["seed"])
            self.stdout.write(f"Demo needs: {created} in the register.")
        if connection.vendor == "postgresql" and (options["experts"] or options["needs"]):
            # After a bulk load the planner's statistics still describe the tables before it (autovacuum may be
            # off, or not have run yet): at 100,000 experts it sorted whole tables on disk for page 200.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for email, description in logins:
            self.stdout.write(f"  {email:<36} {description}")
