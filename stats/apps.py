from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"

    def ready(self) -> None:
        # drf-spectacular finds its extensions by their being imported.
        from stats import schema  # noqa: F401
