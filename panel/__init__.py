"""The web panel: its permissions and the REST API it speaks."""
