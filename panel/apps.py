from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelConfig(AppConfig):
    name = "panel"
    verbose_name = _("Panel")

    def ready(self) -> None:
        from panel import signals, ticketcache

        signals.connect()
        ticketcache.connect()
