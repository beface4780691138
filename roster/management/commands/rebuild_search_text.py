from django.core.management.base import BaseCommand

from roster.search import search_text_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the text the secretariat's word search reads for every expert (summary, posts, CV text). "
        "Run once after upgrading to a version with the word search, with --read-cvs to read the CVs already stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--read-cvs", action="store_true", help="read the stored CVs whose text was never read")
        parser.add_argument("--reread-cvs", action="store_true", help="read every stored CV again")

    def handle(self, *args, read_cvs: bool, reread_cvs: bool, **options):
        report = search_text_rebuild(read_cvs=read_cvs, reread_cvs=reread_cvs)
        self.stdout.write(
            f"{report.experts} experts' search text rebuilt; {report.cvs_read} CVs read, "
            f"{report.cvs_without_text} of them without readable text."
        )
