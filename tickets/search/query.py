"""Web-search syntax, parsed once: words, "phrases", -exclusions and OR, as people type them.

PostgreSQL reads the raw text itself (``websearch_to_tsquery`` never fails on any input); SQLite's
FTS5 has its own grammar, in which a stray quote, a colon or a bare ``NOT`` is a syntax error, so the
parsed query is written back as FTS5 here, every term quoted: no user text reaches ``MATCH`` as syntax.
Both databases refuse a query without a positive term (``-spam`` alone): it would read every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TERMS = 32
# A token: a "quoted phrase" (the closing quote may be missing), or a run of non-space characters.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """A word or a phrase (its words, in order)."""

    words: tuple[str, ...]

    def fts5(self) -> str:
        """The term as an FTS5 string: one quoted phrase, quotes doubled."""
        return '"' + " ".join(self.words).replace('"', '""') + '"'


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: every group must match (a group is terms joined by OR), no exclusion may."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """True when nothing positive is asked for (blank, punctuation only, or exclusions only)."""
        return not self.groups

    def fts5(self) -> str:
        """The query in FTS5 syntax (empty when there is nothing to look for)."""
        if self.is_empty:
            return ""
        required = " AND ".join("(" + " OR ".join(t.fts5() for t in group) + ")" for group in self.groups)
        if not self.excluded:
            return required
        return f"({required}) NOT (" + " OR ".join(t.fts5() for t in self.excluded) + ")"


def _words(text: str) -> tuple[str, ...]:
    """The searchable words of a piece of text: letters and digits of any script; the rest separates."""
    return tuple(w for w in re.split(r"[\W_]+", text) if w)


def parse(text: str) -> SearchQuery:
    """Parse web-search syntax as PostgreSQL's ``websearch_to_tsquery`` reads it: words and
    "phrases" must all match, ``-word`` or ``-"phrase"`` must not, ``OR`` (any case) between two
    terms lets either match. Punctuation separates words; anything unparseable is dropped, never
    refused."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for match in TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                pending_or = bool(groups)
                continue
            negated = "-" if bare.startswith("-") else ""
            phrase = bare
        words = _words(phrase or "")
        if not words:
            continue
        term = Term(words)
        if negated:
            excluded.append(term)
            pending_or = False
        elif pending_or and groups:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
    return SearchQuery(groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded))
