from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BotrunnerConfig(AppConfig):
    name = "botrunner"
    verbose_name = _("Bot runner")
