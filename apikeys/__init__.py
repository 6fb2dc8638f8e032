"""API keys for the external API (only a hash of each key is stored)."""
