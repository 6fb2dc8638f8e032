"""The static files storage of a collected installation (the Docker image).

whitenoise's compressed, hashed storage, except that a file missing from the last ``collectstatic``
(added since, in a working copy) is linked by its plain name, which whitenoise still serves from
the apps (``WHITENOISE_USE_FINDERS``), instead of failing every page that links it.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class PanelStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names from the manifest; plain names for files it does not list."""

    manifest_strict = False

    def url(self, name: str, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:
            return super(CompressedManifestStaticFilesStorage, self)._url(self.stored_name_or_plain, name)

    def stored_name_or_plain(self, name: str) -> str:
        """The hashed name of ``name`` when the manifest has it, else ``name`` itself."""
        try:
            return self.stored_name(name)
        except ValueError:
            return name
