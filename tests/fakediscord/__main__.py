"""``python -m tests.fakediscord --port 8765``: the emulator with the demo guild, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys

from .server import FakeDiscord


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakediscord", description="A local Discord emulator with a demo guild."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one; default 8765)")
    parser.add_argument("--token", default=None, help="bot token to accept (default: a generated one)")
    parser.add_argument("--heartbeat-ms", type=int, default=41250, help="gateway heartbeat interval")
    parser.add_argument("--rate-limit", action="store_true", help="enforce Discord's rate limits (real 429s)")
    parser.add_argument("--no-demo", action="store_true", help="start empty, without the demo guild")
    parser.add_argument("--json", action="store_true", help="print the startup information as one JSON line")
    parser.add_argument(
        "--write-config",
        metavar="PATH",
        default=None,
        help="write a config.toml for the demo guild, for `manage.py importconfig PATH`",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def banner(emu: FakeDiscord) -> str:
    """What a newcomer needs to point the bot and the panel at the emulator."""
    lines = [
        f"fakediscord listening on {emu.base_url}",
        "",
        f"DISCORD_API_BASE={emu.api_base}",
        f"DISCORD_TOKEN={emu.bot_token}",
        f"DISCORD_CLIENT_ID={emu.application_id}",
        f"DISCORD_CLIENT_SECRET={emu.client_secret}",
        "",
        f"bot user / application ID: {emu.bot_id}",
    ]
    if emu.demo is not None:
        demo = emu.demo
        lines += [
            f"demo guild:        {demo.guild_id}",
            f"inbox category:    {demo.inbox_category_id}",
            f"logs channel:      {demo.logs_channel_id}",
            f"general channel:   {demo.general_channel_id}",
            f"staff role:        {demo.staff_role_id}   (member {demo.staff_id}, staffmember)",
            f"admin role:        {demo.admin_role_id}   (member {demo.admin_id}, adminuser)",
            f"owner:             {demo.owner_id}",
            f"users:             {', '.join(str(u) for u in demo.user_ids)}  (alice, bob, carol, dave)",
        ]
    example_user = emu.demo.user_ids[0] if emu.demo else "<user id>"
    lines += [
        "",
        f"control API: {emu.base_url}/_emulator/info   (see tests/fakediscord/README.md)",
        "e.g. a user DMs the bot:",
        f"  curl -X POST {emu.base_url}/_emulator/dm -H 'Content-Type: application/json' \\",
        f"""       -d '{{"user_id": "{example_user}", "content": "Hello!"}}'""",
    ]
    return "\n".join(lines)


def demo_config_toml(emu: FakeDiscord) -> str:
    """A Rustmail config.toml that points the product at the demo guild (single mode)."""
    demo = emu.demo
    assert demo is not None, "the demo guild is needed for a configuration"
    return "\n".join(
        [
            "[bot]",
            f'token = "{emu.bot_token}"',
            'welcome_message = "Thanks for your message! The staff will answer you here."',
            'close_message = "This ticket is closed. Write again any time to open a new one."',
            "enable_rustmail_logs = true",
            f"logs_channel_id = {demo.logs_channel_id}",
            f'client_id = "{emu.application_id}"',
            f'client_secret = "{emu.client_secret}"',
            f"panel_super_admin_users = [{demo.admin_id}]",
            "",
            "[bot.mode]",
            'type = "single"',
            f"guild_id = {demo.guild_id}",
            "",
            "[command]",
            'prefix = "!"',
            "",
            "[thread]",
            f"inbox_category_id = {demo.inbox_category_id}",
            "embedded_message = true",
            "",
        ]
    )


async def serve(args: argparse.Namespace) -> None:
    """Start, print the banner, run until interrupted."""
    emu = FakeDiscord(host=args.host, bot_token=args.token, heartbeat_interval_ms=args.heartbeat_ms)
    if not args.no_demo:
        emu.seed_demo()
    emu.rate_limit_mode = args.rate_limit
    await emu.start(args.port)
    if args.write_config:
        with open(args.write_config, "w", encoding="utf-8") as out:
            out.write(demo_config_toml(emu))
    if args.json:
        info = {
            "base_url": emu.base_url,
            "api_base": emu.api_base,
            "bot_token": emu.bot_token,
            "application_id": str(emu.application_id),
            "client_secret": emu.client_secret,
            "demo": emu.demo.as_json() if emu.demo else None,
        }
        print(json.dumps(info), flush=True)
    else:
        print(banner(emu), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(message)s"
    )
    if args.verbose:
        logging.getLogger("aiohttp.access").setLevel(logging.INFO)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
