"""The one settings error every surface raises; the command line turns it into words."""

from __future__ import annotations


class SettingsError(ValueError):
    """The environment does not hold what the chosen surface or transport needs."""
