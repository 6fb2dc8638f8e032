"""``/panel/administration`` (ManagePermissions): grant panel permissions to the staff guild's
members and roles, several at once, with a picker searching the guild cache; revoke a grant; and
see who holds what and why (super admins, the owner, Administrator roles, grants).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel import services
from panel.models import PanelPermission
from panel.pages.access import panel_page
from panel.selectors.holders import Pick, permission_holders, picker_search
from tickets.errors import DomainError
from tickets.snowflake import InvalidSnowflake, parse_snowflake

Permission = PanelPermission.Permission
SubjectType = PanelPermission.SubjectType


class GrantForm(forms.Form):
    """Who (``User:<id>`` or ``Role:<id>``, as the picker posts it) and which permissions."""

    subject = forms.CharField(label=gettext_lazy("Member or role"), max_length=30)
    permissions = forms.MultipleChoiceField(
        label=gettext_lazy("Permissions"), choices=Permission.choices, widget=forms.CheckboxSelectMultiple
    )

    def clean_subject(self) -> tuple[str, int]:
        kind, _sep, raw_id = self.cleaned_data["subject"].partition(":")
        if kind not in SubjectType.values:
            raise forms.ValidationError(_("Choose a member or a role in the list."))
        try:
            return kind, parse_snowflake(raw_id)
        except InvalidSnowflake:
            raise forms.ValidationError(_("Choose a member or a role in the list.")) from None


def _render(request: HttpRequest, form: GrantForm, *, status: int = 200) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    # A search sends the choice already made (the list it refreshes must not drop it silently).
    chosen = str(form["subject"].value() or request.GET.get("subject", ""))[:30]
    context = {
        "form": form,
        "query": query,
        "picks": _with_chosen(picker_search(query), chosen),
        "chosen": chosen,
        "holders": permission_holders(),
    }
    return render(request, "panel/administration.html", context, status=status)


def _with_chosen(picks: list[Pick], chosen: str) -> list[Pick]:
    """``picks`` with the member or role already chosen first when the search no longer lists it."""
    _kind, _sep, raw_id = chosen.partition(":")
    if not raw_id or any(pick.value == chosen for pick in picks):
        return picks
    kept = [pick for pick in picker_search(raw_id) if pick.value == chosen]
    return kept + picks


@panel_page(permission=Permission.MANAGE_PERMISSIONS)
def administration(request: HttpRequest) -> HttpResponse:
    """GET: the grant form with the picker (``?q=`` searches members and roles) and who holds what.
    POST: grant the chosen permissions, then back here; a refused grant shows the form again (400)."""
    if request.method != "POST":
        return _render(request, GrantForm())
    form = GrantForm(request.POST)
    if form.is_valid():
        subject_type, subject_id = form.cleaned_data["subject"]
        try:
            services.permissions_grant(
                subject_type=subject_type,
                subject_id=subject_id,
                permissions=form.cleaned_data["permissions"],
                granted_by=request.access.discord_id or 0,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Granted %(permissions)s to %(subject)s.")
                % {"permissions": ", ".join(form.cleaned_data["permissions"]), "subject": subject_id},
            )
            return redirect("panel:administration")
    return _render(request, form, status=400)


@panel_page(permission=Permission.MANAGE_PERMISSIONS)
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    """POST: revoke one grant, then back to the page with a message."""
    if request.method != "POST":
        return redirect("panel:administration")
    try:
        services.permission_revoke(grant_id=grant_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Permission revoked."))
    return redirect("panel:administration")
