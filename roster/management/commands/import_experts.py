from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from roster.imports import COLUMNS, expert_import


class Command(BaseCommand):
    help = (
        "Import experts from a CSV file (UTF-8, header row). Columns, in any order: "
        + ",".join(COLUMNS)
        + "; optionally conflict_states, ISO alpha-3 codes separated by ';' (States with a declared conflict of "
        "interest; without the column the declared conflicts stay as they are)"
        + ". languages like en:C2;fr:B2;es:N (N = native); articles like 46:3;48:2 (level 1 knowledgeable, "
        "2 experienced, 3 expert); assistance_types codes separated by ';'; dates YYYY-MM-DD; countries ISO "
        "alpha-3; booleans true/false/1/0/yes/no (empty remote/on_site = true). All or nothing: every row is "
        "checked first; any error is printed as 'row N, column: message', the exit status is 1 and nothing is "
        "written. Rows are matched by external_id, so importing the same file twice creates no duplicate. "
        "Status: a row with a consent_date is imported with that consent on file and becomes active "
        "(or submitted for validation when --by names a focal point, who may import only its own State's "
        "experts); a row without consent_date becomes a draft, to be submitted from the portal, which asks "
        "the expert for consent. Possible duplicates (same name and nationality, or same e-mail, under another "
        "external_id) are listed with the existing record's id; nothing is merged."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument("--by", metavar="EMAIL", help="the secretariat member or focal point importing")

    def handle(self, *args, **options) -> None:
        by = None
        if options["by"]:
            by = User.objects.filter(email__iexact=options["by"], is_active=True).first()
            if by is None or not (by.is_secretariat or by.is_focal_point):
                raise CommandError(f"No active secretariat member or focal point with e-mail {options['by']}.")
        try:
            with open(options["file"], "rb") as handle:
                result = expert_import(file=handle, by=by, dry_run=options["dry_run"], source=options["file"])
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"{len(result.errors)} error(s); nothing was written.", returncode=1)
        for flag in result.duplicates:
            self.stdout.write(str(flag))
        verb = "Would create" if result.dry_run else "Created"
        self.stdout.write(
            f"{verb} {result.created}, {'update' if result.dry_run else 'updated'} {result.updated}, "
            f"unchanged {result.unchanged} expert(s); {len(result.duplicates)} possible duplicate(s) flagged."
        )
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
