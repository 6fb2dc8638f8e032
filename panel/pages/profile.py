"""``/panel/profile`` (ManageBot): the bot's Discord profile. Its name, avatar and banner as Discord
has them now, and a form to change them (images chosen or dropped on the page). The change goes to
Discord in one request, after every field passed Discord's rules: all of it or none, then back here
with a message; a refusal (a bad image, a third name change within the hour) shows why."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from panel.models import PanelPermission
from panel.pages.forms_categories import ProfileForm
from tickets.errors import DomainError, InvalidInput
from tickets.services import profile as service

from .access import panel_page

# An upload larger than this is refused before it is read (Discord's own limit is 10 MiB).
MAX_UPLOAD = service.MAX_IMAGE_BYTES


def _data_uri(upload: UploadedFile | None, label: str) -> str | None:
    if upload is None:
        return None
    if upload.size > MAX_UPLOAD:
        raise InvalidInput(_("Invalid %(image)s: Discord takes images of 10 MiB at most.") % {"image": label})
    content_type = (upload.content_type or "image/png").split(";")[0].strip().lower()
    return f"data:{content_type};base64,{base64.b64encode(upload.read()).decode()}"


@require_http_methods(["GET", "POST"])
@panel_page(PanelPermission.Permission.MANAGE_BOT)
def profile(request: HttpRequest) -> HttpResponse:
    """The page; a POST (multipart) changes the profile and comes back with a message, or shows the
    form again with why it was refused (400, or 429 for a third name change within the hour)."""
    form = ProfileForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = service.bot_profile_update(
                username=data["username"] or None,
                avatar=_data_uri(data["avatar"], _("avatar")),
                banner=_data_uri(data["banner"], _("banner")),
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status if error.status in (400, 429) else 502
        else:
            messages.success(
                request, _("Profile saved: the bot is now %(name)s.") % {"name": changed.username}
            )
            return HttpResponseRedirect(reverse("panel:profile"))
    elif request.method == "POST":
        status = 400
    try:
        current, unavailable = service.bot_profile(), None
    except DomainError as error:
        current, unavailable = None, error.message
    context = {"form": form, "current": current, "unavailable": unavailable}
    return render(request, "panel/profile.html", context, status=status)
