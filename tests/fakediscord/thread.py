"""Running the emulator in a background thread, for synchronous code (Django views, Celery tasks).

``FakeDiscordThread`` starts the emulator on its own event loop in a daemon thread and is a proxy
for it: every attribute and method of :class:`~tests.fakediscord.server.FakeDiscord` is available,
each call hops onto the emulator's loop and blocks until done (``async`` methods included)::

    emu = FakeDiscordThread().start()
    demo = emu.seed_demo()
    message = emu.user_dm(demo.user_ids[0], "hello")   # blocks; returns the message dict
    requests.get(f"{emu.api_base}/users/@me", headers={"Authorization": f"Bot {emu.bot_token}"})
    emu.stop()
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from typing import Any

from .faults import Faults
from .oauth import OAuth
from .ratelimit import RateLimiter
from .server import FakeDiscord

_PROXIED_OBJECTS = (Faults, OAuth, RateLimiter)
_OWN = {"emu", "loop", "timeout", "_thread", "_ready", "_error"}


class _ObjectProxy:
    """Runs a sub-object's methods (``emu.faults.fail_next(...)``) on the loop too."""

    def __init__(self, owner: FakeDiscordThread, target: Any) -> None:
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        return self._owner._wrap(getattr(self._target, name))

    def __setattr__(self, name: str, value: Any) -> None:
        self._owner.call(setattr, self._target, name, value)


class FakeDiscordThread:
    """A :class:`FakeDiscord` on a daemon thread, with a blocking, thread-safe proxy to its API."""

    def __init__(self, emu: FakeDiscord | None = None, *, timeout: float = 30.0) -> None:
        self.emu = emu or FakeDiscord()
        self.timeout = timeout
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, port: int = 0) -> FakeDiscordThread:
        """Start the loop thread and the server; returns once it listens."""

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self.loop = loop
            try:
                loop.run_until_complete(self.emu.start(port))
            except BaseException as exc:  # reported to the starting thread
                self._error = exc
                self._ready.set()
                return
            self._ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fakediscord", daemon=True)
        self._thread.start()
        if not self._ready.wait(self.timeout):
            raise TimeoutError("fakediscord did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Stop the server and the loop thread."""
        if self.loop is None or self._thread is None:
            return
        try:
            self.call(self.emu.stop)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(self.timeout)
            self._thread = None
            # Afterwards attributes are read straight from the (stopped) emulator.
            self.loop = None

    def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``func(*args, **kwargs)`` on the emulator's loop (awaited if async); return the result."""
        if self.loop is None:
            raise RuntimeError("FakeDiscordThread is not started")
        if threading.current_thread() is self._thread:
            raise RuntimeError("FakeDiscordThread proxy used from its own loop thread: use .emu directly")

        async def run() -> Any:
            result = func(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(self.timeout)

    def _wrap(self, value: Any) -> Any:
        if callable(value) and not isinstance(value, type):
            return lambda *args, **kwargs: self._wrap(self.call(value, *args, **kwargs))
        if isinstance(value, _PROXIED_OBJECTS):
            return _ObjectProxy(self, value)
        if isinstance(value, list):
            return list(value)
        if isinstance(value, dict):
            return dict(value)
        return value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self.loop is None:
            return getattr(self.emu, name)
        value = self.call(getattr, self.emu, name)
        return self._wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN:
            object.__setattr__(self, name, value)
        elif self.__dict__.get("loop") is None:
            setattr(self.emu, name, value)
        else:
            self.call(setattr, self.emu, name, value)

    def __enter__(self) -> FakeDiscordThread:
        if self.loop is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
