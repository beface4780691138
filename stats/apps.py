from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # drf-spectacular finds its extensions by their being imported.
        from stats import schema  # noqa: F401
