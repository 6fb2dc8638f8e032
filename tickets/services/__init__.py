"""Writes: the rules of modmail. Keyword-only, typed, atomic; Discord only through the port."""
