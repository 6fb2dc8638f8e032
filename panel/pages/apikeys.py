"""``/panel/apikeys`` (ManageApiKeys): the API keys, their use over the last 30 days, creation,
revocation and deletion.

A new key is shown once: the creation stores it in the session and redirects; the next full page
takes it out of the session and shows it with a copy button. A reload no longer has it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apikeys import services
from apikeys.models import ApiKey
from apikeys.selectors import USAGE_DAYS, apikeys_with_usage
from panel.models import PanelPermission
from panel.pages.access import panel_page
from tickets.errors import DomainError

MANAGE_API_KEYS = PanelPermission.Permission.MANAGE_API_KEYS
NEW_KEY_SESSION = "panel:new-api-key"


class ApiKeyCreateForm(forms.Form):
    """Name, permissions (at least one) and an optional expiry, in the server's time zone."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    permissions = forms.MultipleChoiceField(
        label=gettext_lazy("Permissions"),
        choices=ApiKey.Permission.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Permission.CREATE_TICKET],
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Empty: the key never expires."),
    )


@panel_page(permission=MANAGE_API_KEYS)
def apikeys(request: HttpRequest) -> HttpResponse:
    """GET: the keys, with the key created just before (shown this once). POST: create a key, then
    back here; a refused creation shows the form again with its error and creates nothing (400)."""
    status = 200
    if request.method == "POST":
        form = ApiKeyCreateForm(request.POST)
        if form.is_valid():
            try:
                created = services.apikey_create(**form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                request.session[NEW_KEY_SESSION] = {"id": created.api_key.pk, "secret": created.secret}
                messages.success(request, _("API key “%(name)s” created.") % {"name": created.api_key.name})
                return redirect("panel:apikeys")
        status = 400
    else:
        form = ApiKeyCreateForm()
    # A live refresh of the list (htmx) must not consume the key waiting to be shown.
    new_key = None if request.htmx else request.session.pop(NEW_KEY_SESSION, None)
    context = {"form": form, "keys": apikeys_with_usage(), "new_key": new_key, "usage_days": USAGE_DAYS}
    return render(request, "panel/apikeys.html", context, status=status)


@panel_page(permission=MANAGE_API_KEYS)
def apikey_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    """POST: the key stops working at once; it stays listed as revoked."""
    if request.method != "POST":
        return redirect("panel:apikeys")
    try:
        services.apikey_revoke(key_id=key_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("API key revoked."))
    return redirect("panel:apikeys")


@panel_page(permission=MANAGE_API_KEYS)
def apikey_delete(request: HttpRequest, key_id: int) -> HttpResponse:
    """GET: the confirmation page. POST: delete the key and its usage for good."""
    key = get_object_or_404(ApiKey, pk=key_id)
    if request.method == "POST":
        services.apikey_delete(key_id=key.pk)
        messages.success(request, _("API key “%(name)s” deleted.") % {"name": key.name})
        return redirect("panel:apikeys")
    return render(
        request,
        "panel/confirm_delete.html",
        {
            "title": _("Delete the API key “%(name)s”?") % {"name": key.name},
            "detail": _("Integrations using it stop working at once. This cannot be undone."),
            "action": request.path,
            "cancel": "/panel/apikeys",
        },
    )
