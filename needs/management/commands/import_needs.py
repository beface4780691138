import contextlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from needs.imports import COLUMNS, OPTIONAL_COLUMNS, need_import
from portal.csv_import import CsvUnreadable, csv_file_read


class Command(BaseCommand):
    help = (
        "Import technical assistance needs from a CSV file (UTF-8 or Windows-1252, commas or semicolons) "
        "with the columns "
        + ",".join(COLUMNS)
        + " and optionally "
        + ",".join(OPTIONAL_COLUMNS)
        + " (true/false; YYYY-MM-DD; min_language_level A1 to C2, B2 for a new need), which a re-import leaves "
        "alone when left out. All or nothing: any error "
        "is reported as 'row N, column: message' and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file to import")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=1) from exc
        with contextlib.suppress(CsvUnreadable):  # the import reports an unreadable file as row 1
            self.stdout.write(csv_file_read(content).describe())
        result = need_import(csv_text=content, by=None, dry_run=options["dry_run"])
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported.", returncode=1)
        verb = "Would create" if options["dry_run"] else "Created"
        self.stdout.write(
            f"{verb} {result.created}, {'would update' if options['dry_run'] else 'updated'} {result.updated}, "
            f"unchanged {result.unchanged}."
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
