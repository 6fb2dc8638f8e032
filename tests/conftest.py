"""Suite-wide fixtures. The Discord emulator's fixtures come from its own plugin module."""

pytest_plugins = ["tests.fakediscord.fixtures"]
