"""``{% live_events_script %}``: the tag that loads ``panel/live.js`` for a signed-in page.

It writes the id of the newest event into the tag, so the page's socket starts from the moment
the page was rendered: an event published between the render and the connection is not lost.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tickets.events import latest_id

register = template.Library()


@register.simple_tag
def live_events_script() -> SafeString:
    """``<script src=".../live.js" data-after="<newest event id>" defer></script>``."""
    return format_html(
        '<script src="{}" data-after="{}" defer></script>', static("panel/live.js"), latest_id()
    )
