import json

from django.core.management.base import BaseCommand, CommandParser

from matching.services import coverage_gaps, matching_policy_active, need_coverage


class Command(BaseCommand):
    help = (
        "Coverage of the open needs by the roster, with the active policy: each need's number of qualified experts "
        "(passing every filter and holding every cited article); for a need with fewer than the policy's k, the "
        "single relaxation that would add the most; and the short needs counted by article, language and regional "
        "group (whom to recruit). --json prints {needs: [{need, qualified, relaxation}], gaps: {...}}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        k = matching_policy_active().k
        coverage = need_coverage()
        needs = [
            {
                "need": item.need_id,
                "qualified": item.qualified,
                "relaxation": (
                    {"name": best.name, "adds": best.adds, "article": best.article}
                    if (best := item.best_relaxation)
                    else None
                ),
            }
            for item in coverage
        ]
        gaps = coverage_gaps(coverage=coverage, k=k)
        if options["json"]:
            self.stdout.write(json.dumps({"k": k, "needs": needs, "gaps": gaps}))
            return
        short = [need for need in needs if need["qualified"] < k]
        self.stdout.write(f"{len(coverage)} open needs, {len(short)} with fewer than {k} qualified experts")
        for need in short:
            relaxation = need["relaxation"]
            hint = f"; {relaxation['name']} adds {relaxation['adds']}" if relaxation else ""
            self.stdout.write(f"  need {need['need']}: {need['qualified']} qualified{hint}")
        for dimension, counts in gaps.items():
            ranked = ", ".join(f"{value} {count}" for value, count in sorted(counts.items(), key=lambda kv: -kv[1]))
            self.stdout.write(f"short needs by {dimension}: {ranked or '-'}")
