import json
from contextlib import ExitStack
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.models import AssignmentRun
from matching.runs import assignment_run_perform, assignment_run_start
from matching.selectors import assignment_run_as_dict


class Command(BaseCommand):
    help = (
        "Assign experts to needs all at once with the active matching policy (a global assignment), and keep the "
        "run; the secretariat accepts its proposals into shortlists from the workspace. --json prints {run, "
        'assignments: {"NEED_ID": [EXPERT_ID, ...]}, unfilled: {"NEED_ID": {places, reason}}, figures: {objective, '
        "seconds, needs_over_cap, load_violations, staffed_share}}. --export-scores FILE writes the scores the "
        "solver was given as need,expert,score rows (no header), as openreview-matcher reads them. The run obeys the "
        "secretariat's pins (always or never propose an expert for a need); --json lists them under pins, each with "
        "its outcome (empty when honoured, else why a forced pin was not)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--needs",
            choices=AssignmentRun.Scope.values,
            default=AssignmentRun.Scope.OPEN,
            help="open: the open needs (default); active: open needs and needs being shortlisted",
        )
        parser.add_argument("--json", action="store_true", help="print the run as JSON")
        parser.add_argument("--export-scores", metavar="FILE", help="write need,expert,score rows to FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        run = assignment_run_start(by=None, scope=options["needs"], background=False)
        with ExitStack() as files:
            scores = None
            if options["export_scores"]:
                try:
                    scores = files.enter_context(open(options["export_scores"], "w", encoding="utf-8", newline=""))
                except OSError as error:
                    raise CommandError(f"Cannot write {options['export_scores']}: {error.strerror}") from error
            try:
                run = assignment_run_perform(run_id=run.pk, scores_csv=scores)
            except Exception as error:
                raise CommandError(f"Run {run.pk} failed: {type(error).__name__}") from error
        printed = assignment_run_as_dict(run=run)
        if options["json"]:
            self.stdout.write(json.dumps(printed, ensure_ascii=False))
            return
        figures = printed["figures"]
        self.stdout.write(
            f"Run {run.pk}: {len(printed['assignments'])} needs, staffed {figures['staffed_share']:.1%}, "
            f"objective {figures['objective']:.4f} in {figures['seconds']:.3f} s, "
            f"{figures['needs_over_cap']} needs over the cap, {figures['load_violations']} experts overloaded"
        )
        for need_id, experts in printed["assignments"].items():
            missing = printed["unfilled"].get(need_id)
            line = f"  need {need_id:<8} {', '.join(map(str, experts)) or '-'}"
            if missing:
                line += f"  ({missing['places']} unfilled: {missing['reason']})"
            self.stdout.write(line)
        for pin in printed["pins"]:
            if pin["outcome"]:
                self.stdout.write(
                    f"  pin {pin['kind']} expert {pin['expert']} for need {pin['need']} not honoured: {pin['outcome']}"
                )
