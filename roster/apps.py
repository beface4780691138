from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("Roster")

    def ready(self) -> None:
        from portal import attention
        from roster.attention import expert_attention

        attention.register(expert_attention)
