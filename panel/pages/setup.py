"""``/setup`` and ``/setup/``: the first-run setup wizard, as Rustmail's.

Who may use it: the holder of the one-time link ``manage.py runall`` prints while no bot configuration
exists (``/setup/?token=...``: the token is checked, remembered in the session and dropped from the
address bar), and Django superusers at any time. Anyone else gets the "invalid or expired" page.

Steps (``?step=``): token → server → channels → login → language → review. Each is a plain form
posting back to its own step; a valid one is remembered in the session and the wizard moves on, an
invalid one is shown again with the error beside its field. Nothing is written until the review's
Save, which goes through ``panel.services.setup_finish`` (the configuration service, then the bot's
start order). Works without JavaScript; htmx only makes the steps swap without a full reload.

The bot token and the OAuth client secret wait in the session until the save: they are kept there
encrypted (``tickets.crypto``, the Fernet of the configuration's secrets), so a session row read from
the database or a backup shows neither.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from panel.pages import forms_setup as forms
from panel.services import setup_finish, setup_token_digest, setup_token_valid
from tickets.configschema import mask
from tickets.crypto import SecretUnreadable, decrypt, encrypt
from tickets.errors import DomainError, InvalidInput
from tickets.services.botcontrol import bot_status
from tickets.services.setup import (
    BOT_PERMISSIONS,
    SetupChoices,
    invite_url,
    setup_guild_layout,
    setup_guilds,
)

STEPS: tuple[tuple[str, Any], ...] = (
    ("token", gettext_lazy("Bot token")),
    ("server", gettext_lazy("Server")),
    ("channels", gettext_lazy("Channels")),
    ("login", gettext_lazy("Panel login")),
    ("language", gettext_lazy("Language")),
    ("review", gettext_lazy("Review")),
)
STEP_NAMES = tuple(name for name, _title in STEPS)
WIZARD = "setup_wizard"  # session: what the steps collected
AUTHORIZED = "setup_token_digest"  # session: the digest of the link it was opened with
DONE = "setup_done"  # session: what the success page shows
SECRETS = ("token", "client_secret")  # kept encrypted in the session


def _secret(state: dict[str, Any], name: str) -> str:
    """A secret the wizard holds, in clear ("" when none, or when SECRET_KEY changed meanwhile)."""
    try:
        return decrypt(state.get(name) or "")
    except SecretUnreadable:
        return ""


def _authorized(request: HttpRequest) -> bool:
    if request.user.is_authenticated and request.user.is_superuser:
        return True
    return setup_token_valid(request.session.get(AUTHORIZED, ""))


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "panel/setup_invalid.html", status=403)


def _goto(step: str) -> HttpResponseRedirect:
    return HttpResponseRedirect("/setup/?" + urlencode({"step": step}))


def _state(request: HttpRequest) -> dict[str, Any]:
    return request.session.setdefault(WIZARD, {"done": []})


def _save_step(request: HttpRequest, step: str, values: dict[str, Any]) -> None:
    state = _state(request)
    state.update({k: encrypt(v) if k in SECRETS else v for k, v in values.items()})
    # A step changed: the steps after it are checked again (their choices may no longer fit).
    index = STEP_NAMES.index(step)
    state["done"] = [s for s in state["done"] if STEP_NAMES.index(s) < index] + [step]
    request.session.modified = True


def _first_missing(state: dict[str, Any], upto: str) -> str | None:
    for name in STEP_NAMES[: STEP_NAMES.index(upto)]:
        if name not in state["done"]:
            return name
    return None


def setup(request: HttpRequest) -> HttpResponse:
    """The wizard: one step per request (GET shows it, POST checks it and moves on)."""
    token = request.GET.get("token")
    if token is not None:
        digest = setup_token_digest(token)
        if not setup_token_valid(digest):
            return _refused(request)
        request.session[AUTHORIZED] = digest
        return _goto("token")  # the token leaves the address bar (and the browser history)
    step = request.GET.get("step") or "token"
    if step == "done" and request.session.get(DONE):
        return _done(request)
    if not _authorized(request):
        return _refused(request)
    if step not in STEP_NAMES:
        return _goto("token")
    state = _state(request)
    missing = _first_missing(state, step)
    if missing:
        return _goto(missing)
    return STEP_VIEWS[step](request, state)


def _page(request: HttpRequest, step: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    state = _state(request)
    steps = [
        {"name": name, "title": title, "done": name in state["done"], "current": name == step}
        for name, title in STEPS
    ]
    index = STEP_NAMES.index(step)
    context = {
        "step": step,
        "steps": steps,
        "number": index + 1,
        "total": len(STEPS),
        "previous": STEP_NAMES[index - 1] if index else None,
        "bot": state.get("bot"),
        **context,
    }
    return render(request, f"panel/setup_{step}.html", context, status=status)


def _token_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    if request.method == "POST":
        form = forms.TokenForm(request.POST, known=_secret(state, "token"))
        if form.is_valid():
            assert form.identity is not None
            _save_step(
                request, "token", {"token": form.cleaned_data["token"], "bot": form.identity.as_dict()}
            )
            return _goto("server")
        return _page(request, "token", {"form": form, "env_token": bool(settings.DISCORD_TOKEN)}, status=400)
    form = forms.TokenForm()
    return _page(request, "token", {"form": form, "env_token": bool(settings.DISCORD_TOKEN)})


def _token(state: dict[str, Any]) -> str:
    return _secret(state, "token") or settings.DISCORD_TOKEN


def _server_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    try:
        guilds = setup_guilds(token=_token(state))
    except InvalidInput as error:
        return _page(request, "server", {"discord_error": error.message, "guilds": []}, status=502)
    invite = invite_url(application_id=int(state["bot"]["application_id"]))
    context: dict[str, Any] = {
        "guilds": guilds,
        "invite_url": invite,
        "permissions": [(name, why) for name, (_bit, why) in BOT_PERMISSIONS.items()],
    }
    if request.method == "POST" and guilds:
        form = forms.ServerForm(request.POST, guilds=guilds)
        if form.is_valid():
            names = {str(g.id): g.name for g in guilds}
            data = form.cleaned_data
            _save_step(
                request,
                "server",
                {
                    "mode": data["mode"],
                    "guild_id": data["guild_id"],
                    "guild_name": names[data["guild_id"]],
                    "community_guild_id": data["community_guild_id"],
                    "community_guild_name": names.get(data["community_guild_id"], ""),
                },
            )
            return _goto("channels")
        return _page(request, "server", {**context, "form": form}, status=400)
    initial = {k: state[k] for k in ("mode", "guild_id", "community_guild_id") if state.get(k)}
    return _page(request, "server", {**context, "form": forms.ServerForm(initial=initial, guilds=guilds)})


def _layout(request: HttpRequest, state: dict[str, Any], step: str) -> Any:
    try:
        return setup_guild_layout(token=_token(state), guild_id=int(state["guild_id"]))
    except InvalidInput as error:
        return _page(request, step, {"discord_error": error.message}, status=502)


def _channels_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    layout = _layout(request, state, "channels")
    if isinstance(layout, HttpResponse):
        return layout
    if request.method == "POST":
        form = forms.ChannelsForm(request.POST, layout=layout)
        if form.is_valid():
            data = form.cleaned_data
            labels = dict(form.fields["inbox"].choices) | dict(form.fields["logs"].choices)
            _save_step(
                request,
                "channels",
                {
                    "inbox": data["inbox"],
                    "inbox_name": data["inbox_name"].strip(),
                    "inbox_label": str(labels.get(data["inbox"], "")),
                    "logs": data["logs"],
                    "logs_name": data["logs_name"].strip(),
                    "logs_label": str(labels.get(data["logs"], "")),
                },
            )
            return _goto("login")
        return _page(request, "channels", {"form": form}, status=400)
    initial = {k: state[k] for k in ("inbox", "inbox_name", "logs", "logs_name") if k in state}
    if not initial:
        # The usual names, when the server already has them.
        inbox = next(
            (c for c in layout.categories if c.name.lower() in ("inbox", "modmail", "tickets")), None
        )
        initial = {"inbox": str(inbox.id)} if inbox else {}
    return _page(request, "channels", {"form": forms.ChannelsForm(initial=initial, layout=layout)})


def redirect_url_for(request: HttpRequest) -> str:
    """The OAuth2 callback on the address this panel is being used at (never a fixed localhost:3002)."""
    return request.build_absolute_uri("/api/auth/callback")


def _login_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    layout = _layout(request, state, "login")
    if isinstance(layout, HttpResponse):
        return layout
    context = {
        "redirect_url": redirect_url_for(request),
        "env_client": bool(settings.DISCORD_CLIENT_ID and settings.DISCORD_CLIENT_SECRET),
    }
    if request.method == "POST":
        form = forms.LoginForm(request.POST, layout=layout)
        if form.is_valid():
            data = form.cleaned_data
            roles = dict(form.fields["super_admin_roles"].choices)
            _save_step(
                request,
                "login",
                {
                    "client_id": data["client_id"],
                    "client_secret": data["client_secret"],
                    "redirect_url": data["redirect_url"],
                    "super_admin_users": data["super_admin_users"],
                    "super_admin_roles": data["super_admin_roles"],
                    "super_admin_role_names": [str(roles[r]) for r in data["super_admin_roles"]],
                },
            )
            return _goto("language")
        return _page(request, "login", {**context, "form": form}, status=400)
    initial = {
        "client_id": state.get("client_id") or state["bot"]["application_id"],
        "client_secret": _secret(state, "client_secret"),
        "redirect_url": state.get("redirect_url") or context["redirect_url"],
        "super_admin_users": state.get("super_admin_users", []),
        "super_admin_roles": state.get("super_admin_roles", []),
    }
    return _page(request, "login", {**context, "form": forms.LoginForm(initial=initial, layout=layout)})


def _language_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    if request.method == "POST":
        form = forms.LanguageForm(request.POST)
        if form.is_valid():
            _save_step(request, "language", dict(form.cleaned_data))
            return _goto("review")
        return _page(request, "language", {"form": form}, status=400)
    language = (request.LANGUAGE_CODE or "en")[:2]
    initial = {
        "default_language": state.get("default_language") or (language if language in ("en", "fr") else "en"),
        "status": state.get("status", forms.schema_default("bot.status")),
        "welcome_message": state.get("welcome_message", forms.schema_default("bot.welcome_message")),
        "close_message": state.get("close_message", forms.schema_default("bot.close_message")),
    }
    return _page(request, "language", {"form": forms.LanguageForm(initial=initial)})


def _choices(state: dict[str, Any]) -> SetupChoices:
    def channel(kind: str) -> int | None:
        value = state.get(kind) or ""
        return int(value) if value.isdigit() else None

    return SetupChoices(
        token=_secret(state, "token"),
        guild_id=int(state["guild_id"]),
        mode=state.get("mode", "single"),
        community_guild_id=int(state["community_guild_id"]) if state.get("community_guild_id") else None,
        inbox_category_id=channel("inbox"),
        inbox_category_name=state.get("inbox_name", "") if state.get("inbox") == forms.NEW else "",
        logs_channel_id=channel("logs"),
        logs_channel_name=state.get("logs_name", "") if state.get("logs") == forms.NEW else "",
        client_id=int(state["client_id"]) if state.get("client_id") else None,
        client_secret=_secret(state, "client_secret"),
        redirect_url=state.get("redirect_url", ""),
        super_admin_users=[int(v) for v in state.get("super_admin_users", [])],
        super_admin_roles=[int(v) for v in state.get("super_admin_roles", [])],
        default_language=state.get("default_language", "en"),
        status=state.get("status"),
        welcome_message=state.get("welcome_message"),
        close_message=state.get("close_message"),
    )


def _review_step(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    context = {"state": state, "secret": mask(_secret(state, "client_secret")), "error": None}
    if request.method == "POST":
        saved_by = request.user.get_username() if request.user.is_authenticated else "setup"
        try:
            setup_finish(choices=_choices(state), saved_by=saved_by[:64] or "setup")
        except DomainError as error:
            context["error"] = error.message
            return _page(request, "review", context, status=400)
        request.session[DONE] = {"bot": state.get("bot"), "guild": state.get("guild_name")}
        request.session.pop(WIZARD, None)
        request.session.pop(AUTHORIZED, None)
        return _goto("done")
    return _page(request, "review", context)


def _done(request: HttpRequest) -> HttpResponse:
    """The success page; with ``?fragment=status`` only the bot's status (htmx refreshes it)."""
    context = {"done": request.session[DONE], "status": bot_status().status}
    if request.GET.get("fragment") == "status":
        return render(request, "panel/partials/setup_status.html", context)
    return render(request, "panel/setup_done.html", context)


STEP_VIEWS = {
    "token": _token_step,
    "server": _server_step,
    "channels": _channels_step,
    "login": _login_step,
    "language": _language_step,
    "review": _review_step,
}
