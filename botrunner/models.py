"""The bot runner keeps no tables of its own: its state lives in ``tickets.models.SystemState``."""
