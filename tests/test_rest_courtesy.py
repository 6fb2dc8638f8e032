"""Discord's global limit as the REST adapter keeps to it (``rate`` requests per window of a second),
and courtesy requests (the ✅ on relayed DMs), which take that budget only when nothing else needs
it: under load every other request goes first."""

from __future__ import annotations

import threading
import time

from tickets.discord import courtesy, is_courtesy
from tickets.discord.rest import _GlobalLimiter


def requests_in_threads(limiter: _GlobalLimiter):
    done: list[str] = []
    lock = threading.Lock()
    threads: list[threading.Thread] = []

    def request(name: str, *, polite: bool = False) -> None:
        limiter.wait(courtesy=polite)
        with lock:
            done.append(name)

    def start(name: str, *, polite: bool = False) -> threading.Thread:
        thread = threading.Thread(target=request, args=(name,), kwargs={"polite": polite})
        thread.start()
        threads.append(thread)
        return thread

    def join() -> list[str]:
        for thread in threads:
            thread.join(10)
        return done

    return start, join


def test_no_more_than_the_rate_goes_in_a_window():
    limiter = _GlobalLimiter(rate=3)
    start, join = requests_in_threads(limiter)
    for n in range(4):
        start(f"copy {n}")
    time.sleep(0.3)
    assert limiter.used == 3 and limiter.waiting == 1  # the fourth waits for the next window
    assert len(join()) == 4


def test_a_courtesy_gives_way_to_waiting_requests_and_to_those_that_come_meanwhile():
    limiter = _GlobalLimiter(rate=2)
    start, join = requests_in_threads(limiter)
    for n in range(3):
        start(f"copy {n}")  # two go, the third waits for the next window
    while limiter.waiting != 1:
        time.sleep(0.001)
    start("✅", polite=True)
    time.sleep(0.2)
    start("copy 3")  # comes while the ✅ waits, and goes before it
    assert join()[-1] == "✅"
    assert sorted(join()[:-1]) == ["copy 0", "copy 1", "copy 2", "copy 3"]


def test_a_courtesy_goes_at_once_when_the_budget_is_not_all_in_use():
    limiter = _GlobalLimiter(rate=1)  # a full window would make it wait a second
    limiter.wait()
    limiter.window_end = time.monotonic()  # that window is over, and it was not waited for
    limiter.wait(courtesy=True)
    assert limiter.used == 1 and not limiter.waiting


def test_the_courtesy_hint_belongs_to_the_thread_that_set_it():
    seen: list[bool] = []
    with courtesy():
        assert is_courtesy()
        other = threading.Thread(target=lambda: seen.append(is_courtesy()))
        other.start()
        other.join()
    assert seen == [False] and not is_courtesy()


def test_a_port_for_another_token_keeps_the_rate():
    from tickets.discord.rest import RestDiscordPort

    port = RestDiscordPort(base_url="http://127.0.0.1:9", token="a", rate=7)
    assert port.with_token("b").limiter.rate == 7
