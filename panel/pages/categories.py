"""``/panel/categories`` (ManageCategories): the ticket categories the prompt offers, in order, with
the prompt's settings. Create, edit, enable or disable, move up or down, delete (after a
confirmation page). Every form posts back and comes back here with a message; the list is a
fragment (``/panel/categories/list``) htmx fetches again on ``rm:categories.updated``, so a change
made elsewhere (the bot's ``category`` command, the API, another admin) shows at once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panel.models import PanelPermission
from panel.pages.access import panel_page
from panel.pages.forms_categories import CategoryForm, GuildChoices, PromptSettingsForm
from tickets.errors import DomainError, NotFound
from tickets.models import CategorySettings, TicketCategory
from tickets.services import category_admin as service
from tickets.services.categories import MAX_ENABLED, category_list

MANAGE = PanelPermission.Permission.MANAGE_CATEGORIES


def _back(request: HttpRequest, text: str, *, error: bool = False) -> HttpResponseRedirect:
    (messages.error if error else messages.success)(request, text)
    return HttpResponseRedirect(reverse("panel:categories"))


def _get_or_404(category_id: int) -> TicketCategory:
    try:
        return service.category_by_id(category_id=category_id)
    except NotFound:
        raise Http404 from None


def _list_context(choices: GuildChoices) -> dict[str, Any]:
    overview = category_list()
    rows = [
        {
            "category": c,
            "place": index + 1,
            "discord_name": choices.categories.get(c.discord_category_id),
            "roles": [(r, choices.roles.get(r)) for r in overview.roles.get(c.pk, [])],
        }
        for index, c in enumerate(overview.categories)
    ]
    return {"rows": rows, "enabled_count": overview.enabled_count, "max_enabled": MAX_ENABLED}


def _page(request: HttpRequest, *, form: CategoryForm | None = None, status: int = 200) -> HttpResponse:
    choices = GuildChoices.load()
    settings = CategorySettings.load()
    context = {
        **_list_context(choices),
        "form": form or CategoryForm(choices=choices),
        "settings_form": PromptSettingsForm(
            initial={
                "prompt_enabled": settings.prompt_enabled,
                "selection_timeout": settings.selection_timeout,
            }
        ),
        "no_discord_categories": not choices.categories,
    }
    return render(request, "panel/categories.html", context, status=status)


@require_GET
@panel_page(MANAGE)
def categories(request: HttpRequest) -> HttpResponse:
    """The page: the prompt's settings, the list, the new category form."""
    return _page(request)


@require_GET
@panel_page(MANAGE)
def categories_list(request: HttpRequest) -> HttpResponse:
    """The list alone (what htmx swaps in when categories change)."""
    return render(request, "panel/partials/categories_list.html", _list_context(GuildChoices.load()))


def _save(form: CategoryForm, category_id: int | None) -> Any:
    """The form's category saved, or the domain error put on the form (None)."""
    data = form.cleaned_data
    try:
        return service.category_save(
            category_id=category_id,
            name=data["name"],
            description=data["description"],
            emoji=data["emoji"],
            discord_category_id=data["discord_category_id"],
            role_ids=data["role_ids"],
            enabled=data.get("enabled"),
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return None


@require_POST
@panel_page(MANAGE)
def category_create(request: HttpRequest) -> HttpResponse:
    """``POST /panel/categories/new``: a new category, last on the prompt. Refused: the page again,
    with the form as typed and why (400)."""
    form = CategoryForm(request.POST, choices=GuildChoices.load())
    if form.is_valid() and (category := _save(form, None)):
        return _back(request, _("Category %(name)s created.") % {"name": category.name})
    return _page(request, form=form, status=400)


@require_http_methods(["GET", "POST"])
@panel_page(MANAGE)
def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    """``/panel/categories/<id>``: the edit form; a POST saves and comes back to the list."""
    category = _get_or_404(category_id)
    choices = GuildChoices.load()
    if request.method == "POST":
        form = CategoryForm(request.POST, choices=choices, category=category)
        if form.is_valid() and (saved := _save(form, category.pk)):
            return _back(request, _("Category %(name)s saved.") % {"name": saved.name})
        status = 400
    else:
        initial = {
            "name": category.name,
            "description": category.description,
            "emoji": category.emoji,
            "discord_category_id": category.discord_category_id,
            "role_ids": list(category.roles.order_by("id").values_list("role_id", flat=True)),
            "enabled": category.enabled,
        }
        form, status = CategoryForm(initial=initial, choices=choices, category=category), 200
    return render(request, "panel/category_edit.html", {"category": category, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@panel_page(MANAGE)
def category_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    """``/panel/categories/<id>/delete``: a confirmation page; its POST deletes the category."""
    category = _get_or_404(category_id)
    if request.method == "POST":
        service.category_remove(category_id=category.pk)
        return _back(request, _("Category %(name)s deleted.") % {"name": category.name})
    return render(request, "panel/category_delete.html", {"category": category})


@require_POST
@panel_page(MANAGE)
def category_toggle(request: HttpRequest, category_id: int) -> HttpResponse:
    """``POST /panel/categories/<id>/toggle``: offered on the prompt or not."""
    category = _get_or_404(category_id)
    try:
        category = service.category_update(category_id=category.pk, enabled=not category.enabled)
    except DomainError as error:
        return _back(request, error.message, error=True)
    text = _("Category %(name)s enabled.") if category.enabled else _("Category %(name)s disabled.")
    return _back(request, text % {"name": category.name})


@require_POST
@panel_page(MANAGE)
def category_move(request: HttpRequest, category_id: int) -> HttpResponse:
    """``POST /panel/categories/<id>/move`` ``direction=up|down``: one place on the prompt."""
    category = _get_or_404(category_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        return _back(request, _("Move it up or down."), error=True)
    service.category_move_by(category_id=category.pk, offset=offset)
    return _back(request, _("Category %(name)s moved.") % {"name": category.name})


@require_POST
@panel_page(MANAGE)
def prompt_settings(request: HttpRequest) -> HttpResponse:
    """``POST /panel/categories/settings``: the prompt on or off and its timeout."""
    form = PromptSettingsForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for field in form.errors.values() for e in field)
        return _back(request, _("Nothing was saved: %(errors)s") % {"errors": errors}, error=True)
    service.prompt_settings_update(
        enabled=form.cleaned_data["prompt_enabled"], selection_timeout=form.cleaned_data["selection_timeout"]
    )
    return _back(request, _("Prompt settings saved."))
