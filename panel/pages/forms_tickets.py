"""Forms of the tickets pages: the list's filters, the conversation's filters, and staff actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panel.selectors.tickets import LIST_STATUSES, MAX_PAGE_SIZE, TicketListQuery
from tickets.models import TicketMessage

STATUS_CHOICES = [("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))]
SORT_CHOICES = [
    ("activity", _("Last activity")),
    ("created", _("Opened")),
    ("closed", _("Closed (closed tickets)")),
    ("user", _("User name")),
]
ORDER_CHOICES = [("desc", _("Newest first / Z→A")), ("asc", _("Oldest first / A→Z"))]
SHOW_CHOICES = [
    (TicketMessage.Kind.USER, _("User")),
    (TicketMessage.Kind.STAFF, _("Staff")),
    (TicketMessage.Kind.INTERNAL, _("Notes")),
    (TicketMessage.Kind.SYSTEM, _("System")),
]
REPLY_LIMIT = 4000


class TicketFilterForm(forms.Form):
    """The list's filters (a GET form). An invalid value falls back to its default, never a 500:
    ``query()`` reads only cleaned values."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    category = forms.TypedChoiceField(
        label=_("Category"), choices=[], required=False, coerce=int, empty_value=None
    )
    staff = forms.ChoiceField(label=_("Handled by"), choices=[], required=False)
    user = forms.CharField(label=_("User ID or name"), max_length=100, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    order = forms.ChoiceField(label=_("Order"), choices=ORDER_CHOICES, required=False)

    def __init__(
        self,
        data: dict,
        *,
        categories: list[tuple[int, str]],
        staff: list[tuple[int, str]],
        me: int | None,
    ) -> None:
        super().__init__(data)
        category_choices = [("", _("Any category"))] + [(str(i), n) for i, n in categories]
        wanted = str(data.get("category") or "")
        if wanted.isdigit() and all(value != wanted for value, _label in category_choices):
            category_choices.append((wanted, wanted))  # one the caller may not see: it lists nothing
        self.fields["category"].choices = category_choices
        choices = [("", _("Anyone or nobody")), ("none", _("Nobody"))]
        if me:
            choices.append((str(me), _("Me")))
        choices += [(str(i), n) for i, n in staff if i != me]
        wanted = str(data.get("staff") or "")
        if wanted.isdigit() and all(value != wanted for value, _label in choices):
            choices.append((wanted, wanted))  # a staff member named in the URL, not in the list
        self.fields["staff"].choices = choices

    def query(self, *, after: str = "", before: str = "", page_size: int = 50) -> TicketListQuery:
        """The selector's query from what was valid in the form."""
        self.is_valid()
        data = self.cleaned_data  # the fields that were valid; the others take their defaults
        status = data.get("status") or "open"
        return TicketListQuery(
            status=status if status in LIST_STATUSES else "open",
            category_id=data.get("category"),
            staff=data.get("staff") or "",
            user=data.get("user") or "",
            sort=data.get("sort") or "activity",
            descending=(data.get("order") or "desc") == "desc",
            after=after,
            before=before,
            page_size=min(page_size, MAX_PAGE_SIZE),
        )


class ConversationFilterForm(forms.Form):
    """Which messages of a ticket to show, and a search within it (a GET form)."""

    show = forms.MultipleChoiceField(
        label=_("Show"), choices=SHOW_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    q = forms.CharField(label=_("Search in this ticket"), max_length=200, required=False)

    def kinds(self) -> tuple[str, ...]:
        """The kinds to show: all of them unless some are ticked."""
        shown = self.cleaned_data.get("show") if self.is_valid() else None
        return tuple(shown) if shown else tuple(value for value, _label in SHOW_CHOICES)

    def search(self) -> str:
        return (self.cleaned_data.get("q") or "") if self.is_valid() else ""


class ReplyForm(forms.Form):
    """A reply to the user (``!reply``), anonymous or not, optionally with a snippet at its end."""

    content = forms.CharField(
        label=_("Reply"),
        max_length=REPLY_LIMIT,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Write to the user… {{snippet}} inserts a snippet")}
        ),
    )
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    snippet = forms.ChoiceField(label=_("Snippet"), choices=[], required=False)

    def __init__(self, *args, snippets: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["snippet"].choices = [("", _("No snippet"))] + [(key, key) for key in snippets]

    def clean(self) -> dict:
        data = super().clean()
        text = (data.get("content") or "").strip()
        if data.get("snippet"):
            text = f"{text}\n{{{{{data['snippet']}}}}}" if text else f"{{{{{data['snippet']}}}}}"
        if not text:
            raise forms.ValidationError(_("A reply needs text or a snippet."))
        data["text"] = text
        return data


class NoteForm(forms.Form):
    """An internal note: staff see it, the user never does."""

    content = forms.CharField(
        label=_("Internal note"), max_length=1800, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    """Close now, or after a delay (``30m``, ``2h``, ``1d12h``), with or without the close message."""

    delay = forms.CharField(
        label=_("Close after"),
        max_length=20,
        required=False,
        help_text=_("Empty: now. Or 30m, 2h, 1d, 1d12h."),
    )
    silent = forms.BooleanField(label=_("Silently (no close message)"), required=False)


class MoveForm(forms.Form):
    """Move the ticket's channel to another Discord category."""

    category = forms.ChoiceField(label=_("Move to"), choices=[])

    def __init__(self, *args, categories: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(name, name) for name in categories]
