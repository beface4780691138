from django.core.management.base import BaseCommand

from stats.services import stats_refresh


class Command(BaseCommand):
    help = (
        "Count the published statistics afresh into a new snapshot (the API and the statistics page read the newest). "
        "Run it from cron, e.g. hourly; a request never counts."
    )

    def handle(self, *args, **options) -> None:
        snapshot = stats_refresh()
        self.stdout.write(
            f"Statistics counted as of {snapshot.created_at.isoformat()}: {snapshot.cells.count()} cells."
        )
