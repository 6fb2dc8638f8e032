"""The search index, kept by the database itself so that writing a message costs Python nothing.

PostgreSQL: a ``search_vector`` tsvector column on messages and on tickets, filled by ``BEFORE``
triggers (only when the indexed columns change: the relay's updates of a ticket's activity do not
fire them), each with a GIN index. The text search configuration follows the bot's language
(``language.default_language``), read by ``tickets_search_config()``; after the language changes,
``manage.py rebuildsearch`` re-indexes what was written before.

SQLite: two FTS5 tables (messages by their ID, tickets by their rowid) kept by ``AFTER`` triggers.
Django rebuilds an SQLite table to alter it, which drops its triggers: ``ensure`` (run after every
``migrate``) puts them back and refills the index when one was missing.
"""

from __future__ import annotations

import logging

from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger("tickets.search")

# The bot's language (its first part, "pt-BR" → "pt") → PostgreSQL's built-in configuration.
PG_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"

_cases = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in PG_CONFIGS.items())
PG_CONFIG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tickets_search_config() RETURNS regconfig LANGUAGE sql STABLE AS $$
  SELECT (CASE COALESCE((
      SELECT split_part(lower(language_default_language), '-', 1) FROM tickets_botconfig ORDER BY id LIMIT 1
    ), 'en') {_cases} ELSE 'simple' END)::regconfig
$$"""

PG_INSTALL = [
    "ALTER TABLE tickets_ticketmessage ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS search_vector tsvector",
    PG_CONFIG_FUNCTION,
    """CREATE OR REPLACE FUNCTION tickets_message_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := to_tsvector(tickets_search_config(), COALESCE(NEW.content, ''));
  RETURN NEW;
END $$""",
    """CREATE OR REPLACE FUNCTION tickets_ticket_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE config regconfig := tickets_search_config();
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector(config, COALESCE(NEW.user_name, '')), 'A')
    || setweight(to_tsvector('simple', NEW.user_id::text), 'A')
    || setweight(to_tsvector(config, COALESCE(NEW.label, '')), 'B')
    || setweight(to_tsvector(config, COALESCE(NEW.category_name, '')), 'B');
  RETURN NEW;
END $$""",
    "DROP TRIGGER IF EXISTS tickets_message_search ON tickets_ticketmessage",
    """CREATE TRIGGER tickets_message_search BEFORE INSERT OR UPDATE OF content ON tickets_ticketmessage
       FOR EACH ROW EXECUTE FUNCTION tickets_message_search_vector()""",
    "DROP TRIGGER IF EXISTS tickets_ticket_search ON tickets_ticket",
    """CREATE TRIGGER tickets_ticket_search
       BEFORE INSERT OR UPDATE OF user_name, user_id, label, category_name ON tickets_ticket
       FOR EACH ROW EXECUTE FUNCTION tickets_ticket_search_vector()""",
    "CREATE INDEX IF NOT EXISTS message_search ON tickets_ticketmessage USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS ticket_search ON tickets_ticket USING gin (search_vector)",
]
PG_REBUILD = [
    "UPDATE tickets_ticketmessage SET search_vector = to_tsvector(tickets_search_config(), content)",
    "UPDATE tickets_ticket SET user_name = user_name",  # fires the ticket trigger
]
PG_UNINSTALL = [
    "DROP TRIGGER IF EXISTS tickets_message_search ON tickets_ticketmessage",
    "DROP TRIGGER IF EXISTS tickets_ticket_search ON tickets_ticket",
    "DROP FUNCTION IF EXISTS tickets_message_search_vector()",
    "DROP FUNCTION IF EXISTS tickets_ticket_search_vector()",
    "DROP FUNCTION IF EXISTS tickets_search_config()",
    "ALTER TABLE tickets_ticketmessage DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_vector",
]

SQLITE_TRIGGERS = {
    "tickets_message_fts_insert": """CREATE TRIGGER IF NOT EXISTS tickets_message_fts_insert
  AFTER INSERT ON tickets_ticketmessage BEGIN
  INSERT INTO tickets_message_fts(rowid, content) VALUES (new.id, new.content);
END""",
    "tickets_message_fts_update": """CREATE TRIGGER IF NOT EXISTS tickets_message_fts_update
  AFTER UPDATE OF id, content ON tickets_ticketmessage BEGIN
  DELETE FROM tickets_message_fts WHERE rowid = old.id;
  INSERT INTO tickets_message_fts(rowid, content) VALUES (new.id, new.content);
END""",
    "tickets_message_fts_delete": """CREATE TRIGGER IF NOT EXISTS tickets_message_fts_delete
  AFTER DELETE ON tickets_ticketmessage BEGIN
  DELETE FROM tickets_message_fts WHERE rowid = old.id;
END""",
    "tickets_ticket_fts_insert": """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_insert
  AFTER INSERT ON tickets_ticket BEGIN
  INSERT INTO tickets_ticket_fts(rowid, user_name, user_id, label, category)
  VALUES (new.rowid, new.user_name, new.user_id, new.label, COALESCE(new.category_name, ''));
END""",
    "tickets_ticket_fts_update": """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_update
  AFTER UPDATE OF user_name, user_id, label, category_name ON tickets_ticket BEGIN
  DELETE FROM tickets_ticket_fts WHERE rowid = old.rowid;
  INSERT INTO tickets_ticket_fts(rowid, user_name, user_id, label, category)
  VALUES (new.rowid, new.user_name, new.user_id, new.label, COALESCE(new.category_name, ''));
END""",
    "tickets_ticket_fts_delete": """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_delete
  AFTER DELETE ON tickets_ticket BEGIN
  DELETE FROM tickets_ticket_fts WHERE rowid = old.rowid;
END""",
}
SQLITE_TABLES = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS tickets_message_fts
  USING fts5(content, tokenize='{SQLITE_TOKENIZER}')""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS tickets_ticket_fts
  USING fts5(user_name, user_id, label, category, tokenize='{SQLITE_TOKENIZER}')""",
]
SQLITE_REFILL = [
    "DELETE FROM tickets_message_fts",
    "INSERT INTO tickets_message_fts(rowid, content) SELECT id, content FROM tickets_ticketmessage",
    "DELETE FROM tickets_ticket_fts",
    """INSERT INTO tickets_ticket_fts(rowid, user_name, user_id, label, category)
       SELECT rowid, user_name, user_id, label, COALESCE(category_name, '') FROM tickets_ticket""",
]
SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    "DROP TABLE IF EXISTS tickets_message_fts",
    "DROP TABLE IF EXISTS tickets_ticket_fts",
]


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index, its triggers, and fill it from what is stored (idempotent)."""
    if connection.vendor == "postgresql":
        _run(connection, PG_INSTALL)
        _run(connection, PG_REBUILD)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_TABLES + list(SQLITE_TRIGGERS.values()) + SQLITE_REFILL)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the index and its triggers."""
    if connection.vendor == "postgresql":
        _run(connection, PG_UNINSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_UNINSTALL)


def ensure(connection: BaseDatabaseWrapper) -> bool:
    """Put back whatever a later migration dropped (SQLite loses a table's triggers when Django
    rebuilds it); True when the index had to be refilled."""
    if connection.vendor != "sqlite":
        return False
    tables = set(connection.introspection.table_names(include_views=False))
    if "tickets_ticketmessage" not in tables or "tickets_ticket" not in tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_fts_%'")
        present = {row[0] for row in cursor.fetchall()}
    if present >= set(SQLITE_TRIGGERS) and "tickets_message_fts" in tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM tickets_ticket)")
        empty = not cursor.fetchone()[0]
    # A new database: a later migration rebuilt the tables, there is nothing to index yet (no warning
    # for an operator's first start); an existing one is indexed again, which can take a while.
    if empty:
        log.debug("Setting up the search index of a new database")
    else:
        log.warning("Rebuilding the search index: its triggers were missing (a table was rebuilt)")
    install(connection)
    return True


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Index every message and ticket again (after a change of the bot's language on PostgreSQL)."""
    if connection.vendor == "postgresql":
        _run(connection, PG_REBUILD)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_REFILL)
