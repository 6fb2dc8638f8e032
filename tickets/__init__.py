"""Tickets: the modmail domain (models, services, selectors, the Discord port)."""
