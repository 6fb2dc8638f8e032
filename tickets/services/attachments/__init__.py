"""Attachments kept for good: Discord's CDN URLs are signed and expire after about a day, so each
file a user or staff member sends is downloaded once, stored through Django's storage API (the
``attachments`` storage: DATA_DIR/media, or S3) under its SHA-256 (identical files are stored
once), uploaded on with the relayed message, and served only through an authenticated URL.

- ``attachments_fetch``: download and store pending attachments (outside any transaction).
- ``relay_files``: what goes with a relayed message: the files to upload and a note per file that
  cannot go (too large, could not be fetched).
- ``attachment_url`` / ``thumbnail_url``: the authenticated URLs of a stored copy (None when there
  is no stored copy); ``attachment_note``: the line that announces a file that is not attached
  (``not_uploaded_notes``: those lines again, for an edit of the message).
- ``attachment_open`` / ``thumbnail_open``: the stored bytes, for the view that serves them.
- ``attachments_housekeeping``: the retention setting, and downloads left pending.
"""

from .fetching import attachments_fetch
from .housekeeping import attachments_housekeeping
from .relaying import RelayFiles, attachment_note, not_uploaded_notes, relay_files, reply_notes_reserve
from .serving import attachment_open, attachment_url, thumbnail_open, thumbnail_url

__all__ = [
    "RelayFiles",
    "attachment_note",
    "attachment_open",
    "attachment_url",
    "attachments_fetch",
    "attachments_housekeeping",
    "not_uploaded_notes",
    "relay_files",
    "reply_notes_reserve",
    "thumbnail_open",
    "thumbnail_url",
]
