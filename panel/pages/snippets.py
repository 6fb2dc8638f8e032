"""``/panel/snippets``: saved answers staff send with ``snippet use <key>`` or ``{{key}}`` (ViewPanel
sees; ManageTickets creates, edits and deletes).

Each form shows a preview of the message the user would receive, rendered as the bot renders a
staff reply (embed or plain text, per the configuration), and refreshed while typing (htmx).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.models import PanelPermission
from panel.pages.access import forbidden, panel_page
from panel.selectors import discord_account
from tickets.errors import DomainError, NotFound
from tickets.models import BotConfig, GuildMember, Snippet
from tickets.rendering import staff_reply
from tickets.selectors import snippet_list
from tickets.services import snippet_create, snippet_delete, snippet_edit, snippet_get
from tickets.services.moderation import SNIPPET_LIMIT

Permission = PanelPermission.Permission


class SnippetForm(forms.Form):
    """A snippet's key (only when it is created: the key is its name in commands) and its text."""

    key = forms.CharField(
        label=gettext_lazy("Key"),
        max_length=64,
        help_text=gettext_lazy("Letters, digits, _ and -. Staff send it with “snippet use key” or {{key}}."),
    )
    content = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=SNIPPET_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=False,
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]


def _staff_name(request: HttpRequest) -> str:
    """The name a reply of this panel user would carry."""
    discord_id, profile = discord_account(request.user)
    if discord_id:
        member = GuildMember.objects.filter(user_id=discord_id).only("global_name", "username").first()
        if member is not None:
            return member.global_name or member.username
    return profile.get("global_name") or profile.get("username") or request.user.get_username()


def preview_of(request: HttpRequest, content: str) -> dict[str, Any]:
    """The user's copy of a reply with ``content``: embed (author, text, colour, footer) or plain text."""
    message = staff_reply(
        cfg=BotConfig.load(),
        staff_name=_staff_name(request),
        staff_role="",
        content=content,
        number=1,
        anonymous=False,
        for_user=True,
    )
    embed = message.embeds[0] if message.embeds else None
    return {
        "embed": embed,
        "color": f"#{embed.get('color', 0):06x}" if embed else "",
        "text": message.content or "",
        "empty": not content.strip(),
    }


def _may_change(request: HttpRequest) -> bool:
    return request.access.has(Permission.MANAGE_TICKETS)


def _snippets(search: str) -> list[Snippet]:
    snippets = snippet_list()
    if search:
        snippets = snippets.filter(Q(key__icontains=search) | Q(content__icontains=search))
    return list(snippets)


@panel_page(permission=Permission.VIEW_PANEL)
def snippets(request: HttpRequest) -> HttpResponse:
    """GET: the snippets (``?q=`` searches keys and texts) and, for ManageTickets, the creation form.
    POST (ManageTickets): create one, then back here; a refused one shows the form again (400)."""
    status = 200
    if request.method == "POST":
        if not _may_change(request):
            return forbidden(request, Permission.MANAGE_TICKETS)
        form = SnippetForm(request.POST)
        if form.is_valid():
            try:
                snippet = snippet_create(
                    key=form.cleaned_data["key"],
                    content=form.cleaned_data["content"],
                    staff_id=request.access.discord_id or 0,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Snippet “%(key)s” created.") % {"key": snippet.key})
                return redirect("panel:snippets")
        status = 400
    else:
        form = SnippetForm()
    search = request.GET.get("q", "").strip()[:100]
    context = {
        "form": form,
        "search": search,
        "snippets": _snippets(search),
        "may_change": _may_change(request),
        "preview": preview_of(request, form["content"].value() or ""),
    }
    return render(request, "panel/snippets.html", context, status=status)


def _snippet_or_404(key: str) -> Snippet:
    try:
        return snippet_get(key=key)
    except NotFound:
        raise Http404(key) from None


@panel_page(permission=Permission.MANAGE_TICKETS)
def snippet_edit_page(request: HttpRequest, key: str) -> HttpResponse:
    """GET: the snippet's text in a form with its preview. POST: save it, then back to the list."""
    snippet = _snippet_or_404(key)
    status = 200
    if request.method == "POST":
        form = SnippetForm(request.POST, editing=True)
        if form.is_valid():
            try:
                snippet_edit(key=snippet.key, content=form.cleaned_data["content"])
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Snippet “%(key)s” saved.") % {"key": snippet.key})
                return redirect("panel:snippets")
        status = 400
    else:
        form = SnippetForm(initial={"content": snippet.content}, editing=True)
    context = {
        "form": form,
        "snippet": snippet,
        "preview": preview_of(request, form["content"].value() or ""),
    }
    return render(request, "panel/snippet_edit.html", context, status=status)


@panel_page(permission=Permission.MANAGE_TICKETS)
def snippet_delete_page(request: HttpRequest, key: str) -> HttpResponse:
    """GET: the confirmation page. POST: delete the snippet."""
    snippet = _snippet_or_404(key)
    if request.method == "POST":
        snippet_delete(key=snippet.key)
        messages.success(request, _("Snippet “%(key)s” deleted.") % {"key": snippet.key})
        return redirect("panel:snippets")
    return render(
        request,
        "panel/confirm_delete.html",
        {
            "title": _("Delete the snippet “%(key)s”?") % {"key": snippet.key},
            "detail": _("Staff can no longer send it. This cannot be undone."),
            "action": request.path,
            "cancel": "/panel/snippets",
        },
    )


@panel_page(permission=Permission.VIEW_PANEL)
def snippet_preview(request: HttpRequest) -> HttpResponse:
    """POST ``content``: the preview fragment (what htmx swaps in while the text is typed)."""
    if request.method != "POST":
        return redirect("panel:snippets")
    content = request.POST.get("content", "")[:SNIPPET_LIMIT]
    return render(request, "panel/partials/snippet_preview.html", {"preview": preview_of(request, content)})
