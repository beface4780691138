import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.selectors import ranking_as_dict
from matching.services import rank_need
from needs.models import Need


class Command(BaseCommand):
    help = (
        "Rank the roster's experts for one need with the active matching policy and keep the ranking. "
        "--json prints {need, policy, candidates: [{expert, rank, score, components, covered_articles, "
        "missing_articles, regional_group, legal_system}], excluded: {reason: count}}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("need_id", type=int)
        parser.add_argument("--top", type=int, default=None, help="how many candidates (default: the policy's k)")
        parser.add_argument("--json", action="store_true", help="print the ranking as JSON")

    def handle(self, *args, **options) -> None:
        if options["top"] is not None and options["top"] < 1:
            raise CommandError("--top must be at least 1.", returncode=2)
        need = Need.objects.filter(pk=options["need_id"]).first()
        if need is None:
            raise CommandError(f"No need with id {options['need_id']}.", returncode=1)
        ranking = ranking_as_dict(snapshot=rank_need(need=need, by=None, top=options["top"]))
        if options["json"]:
            self.stdout.write(json.dumps(ranking, ensure_ascii=False))
            return
        self.stdout.write(f"Need {need.pk}: {need.title} (policy {ranking['policy']['name']})")
        for candidate in ranking["candidates"]:
            parts = ", ".join(f"{name} {value:.3f}" for name, value in candidate["components"].items())
            self.stdout.write(
                f"{candidate['rank']:>3}. expert {candidate['expert']:<8} {candidate['score']:.4f}  "
                f"{candidate['regional_group'] or '-':<6} {parts}; missing {candidate['missing_articles'] or '-'}"
            )
        excluded = ", ".join(f"{reason} {count}" for reason, count in ranking["excluded"].items())
        self.stdout.write(f"Excluded: {excluded or 'none'}")
