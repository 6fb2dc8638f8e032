from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from rustmail import checks  # noqa: F401  (registers the environment checks)
        from tickets.search.signals import repair_search_index

        post_migrate.connect(repair_search_index, sender=self)
