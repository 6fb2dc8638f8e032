"""The French catalogue: complete, faithful to its placeholders, compiled, and used by the services.

The .po is parsed by a tiny reader below (no polib); the committed .mo is read with the standard
``gettext`` module, so these checks need neither GNU gettext nor a database.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tickets.errors import TicketClosed, TicketNotFound, UserBlocked

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
PO_PATH = LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# %(name)s, %(count)d, %(name)r ... and the {…} of str.format / snippet keys such as {{key}}.
PERCENT_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE_PLACEHOLDER = re.compile(r"\{+[^{}]*\}+")
# Discord markup that must survive translation: mentions, channels, timestamps, emphasis, quotes.
DISCORD_TOKEN = re.compile(r"<(?:@[!&]?|#|t:)[^>]*>|\*\*|>>>|`")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a quoted .po string: {text!r}"
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Read every live entry of a .po file (obsolete ``#~`` entries are left out); the header is first."""
    entries: list[Entry] = []
    for number, block in enumerate(re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))):
        lines = [raw for raw in block.splitlines() if raw.strip()]
        if not any(raw.startswith("msg") for raw in lines):
            continue  # a comment-only or obsolete (#~) block
        flags: set[str] = set()
        fields: dict[str, str] = {}
        current = None
        for raw in lines:
            if raw.startswith("#,"):
                flags |= {flag.strip() for flag in raw[2:].split(",") if flag.strip()}
            elif raw.startswith("#"):
                continue
            elif raw.startswith('"'):
                assert current is not None, f"{path}, entry {number}: continuation line without a keyword"
                fields[current] += _unquote(raw)
            else:
                keyword, _, rest = raw.partition(" ")
                current = keyword
                fields[current] = _unquote(rest)
        if "msgid" not in fields:
            continue
        if "msgid_plural" in fields:
            msgstr = [fields[k] for k in sorted(k for k in fields if k.startswith("msgstr["))]
        else:
            msgstr = [fields.get("msgstr", "")]
        entries.append(
            Entry(
                msgid=fields["msgid"],
                msgid_plural=fields.get("msgid_plural"),
                msgctxt=fields.get("msgctxt"),
                msgstr=msgstr,
                flags=flags,
            )
        )
    return entries


def _placeholders(text: str) -> set[str]:
    return set(PERCENT_PLACEHOLDER.findall(text)) | set(BRACE_PLACEHOLDER.findall(text))


def _markup(text: str) -> list[str]:
    return sorted(DISCORD_TOKEN.findall(text))


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l fr"
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(po_entries) -> list[Entry]:
    """Every entry except the header."""
    assert po_entries[0].msgid == "", "the .po must start with its header"
    return po_entries[1:]


def test_settings_offer_french():
    assert "fr" in dict(settings.LANGUAGES)
    assert LOCALE_DIR in [Path(p) for p in settings.LOCALE_PATHS]


def test_header_is_french_and_final(po_entries):
    header = po_entries[0]
    assert "fuzzy" not in header.flags
    assert "Language: fr\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header.msgstr[0]


def test_catalogue_is_not_empty(messages):
    assert len(messages) > 50


def test_every_message_is_translated_and_not_fuzzy(messages):
    untranslated = [e.msgid for e in messages if not all(s.strip() for s in e.msgstr)]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    wrong_plurals = [e.msgid for e in messages if e.msgid_plural is not None and len(e.msgstr) != 2]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not wrong_plurals, f"French has two plural forms: {wrong_plurals}"


def test_no_duplicate_msgids(messages):
    keys = [(e.msgctxt, e.msgid) for e in messages]
    assert len(keys) == len(set(keys))


def test_placeholders_are_kept(messages):
    mismatched = []
    for entry in messages:
        expected = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        for translated in entry.msgstr:
            # A French singular may drop the number (“une clé”), never add or rename a placeholder.
            found = _placeholders(translated)
            ok = found <= expected if entry.msgid_plural is not None else found == expected
            if not ok:
                mismatched.append((entry.msgid, translated))
    assert not mismatched, f"placeholders differ: {mismatched}"


def test_discord_markup_is_kept(messages):
    mismatched = [
        (entry.msgid, translated)
        for entry in messages
        for translated in entry.msgstr
        if _markup(translated) != _markup(entry.msgid)
    ]
    assert not mismatched, f"Discord markup differs: {mismatched}"


def test_line_structure_is_kept(messages):
    """Same number of line breaks, and the same leading/trailing newline (msgfmt --check's rule)."""
    mismatched = [
        (entry.msgid, translated)
        for entry in messages
        for translated in entry.msgstr
        if translated.count("\n") != entry.msgid.count("\n")
        or translated.startswith("\n") != entry.msgid.startswith("\n")
        or translated.endswith("\n") != entry.msgid.endswith("\n")
    ]
    assert not mismatched, f"line breaks differ: {mismatched}"


def test_compiled_catalogue_matches_the_po(messages):
    """The committed .mo holds exactly the .po's translations (so it was recompiled after the last edit)."""
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages"
    with MO_PATH.open("rb") as handle:
        catalogue = stdlib_gettext.GNUTranslations(handle)
    assert catalogue.gettext("This ticket is closed.") == "Ce ticket est fermé."
    stale = []
    for entry in messages:
        prefix = f"{entry.msgctxt}\x04" if entry.msgctxt is not None else ""
        if entry.msgid_plural is None:
            compiled = catalogue._catalog.get(prefix + entry.msgid)
            if compiled != entry.msgstr[0]:
                stale.append(entry.msgid)
        else:
            for index, translated in enumerate(entry.msgstr):
                if catalogue._catalog.get((prefix + entry.msgid, index)) != translated:
                    stale.append(entry.msgid)
    assert not stale, f"the .mo is out of date (run compilemessages): {stale}"


def test_service_errors_are_translated():
    english = TicketClosed().message
    with translation.override("fr"):
        french = TicketClosed().message
        assert TicketNotFound().message == "Ce ticket n'existe pas."
        assert UserBlocked().message == "Cet utilisateur est bloqué."
    assert english == "This ticket is closed."
    assert french == "Ce ticket est fermé."
    assert french != english


def test_formatted_and_plural_strings_are_translated():
    with translation.override("fr"):
        reminder = translation.gettext("Reminder #%(id)s") % {"id": 7}
        one = translation.ngettext("%(count)d key revoked.", "%(count)d keys revoked.", 1) % {"count": 1}
        many = translation.ngettext("%(count)d key revoked.", "%(count)d keys revoked.", 3) % {"count": 3}
    assert reminder == "Rappel n°7"
    assert one == "1 clé révoquée."
    assert many == "3 clés révoquées."
    with translation.override("en"):
        assert translation.gettext("Reminder #%(id)s") % {"id": 7} == "Reminder #7"
