"""A local Discord emulator the real nextcord client runs against (see README.md).

from tests.fakediscord import FakeDiscord

emu = FakeDiscord()
demo = emu.seed_demo()
await emu.start(port=0)          # REST at emu.api_base, gateway at emu.gateway_url
await emu.user_dm(demo.user_ids[0], "hello")
await emu.stop()
"""

from .demo import DemoGuild, build_demo_guild
from .models import Overwrite
from .rest import Call
from .server import FakeDiscord
from .thread import FakeDiscordThread
from .util import DiscordError

__all__ = [
    "Call",
    "DemoGuild",
    "DiscordError",
    "FakeDiscord",
    "FakeDiscordThread",
    "Overwrite",
    "build_demo_guild",
]
