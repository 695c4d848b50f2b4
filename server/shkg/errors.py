"""One error hierarchy: every error a user can cause says what went wrong and where."""

from __future__ import annotations


class ShkgError(Exception):
    """Base class. ``str(error)`` is the whole message shown to the user."""

    exit_code = 1


class InputError(ShkgError):
    """A project file is missing, malformed, or contradicts another (file and line in the text)."""


class ValidationFailed(ShkgError):
    """The data does not conform to the SHACL shapes."""


class QuoteMismatch(ShkgError):
    """A quote's text is not found in its seed at the recorded position."""


class BuildLocked(ShkgError):
    """Another build holds the lock on the release directory."""


class NoRelease(ShkgError):
    """No build has been published yet."""


class SettingError(ShkgError, ValueError):
    """A setting's value (option or environment variable) cannot be read."""
