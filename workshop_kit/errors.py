"""The kit's own errors. Each message is plain English, fit to show a participant."""

from __future__ import annotations


class KitError(Exception):
    """Base class: something the participant or facilitator can understand and fix."""


class CatalogueError(KitError):
    """The catalogue file is malformed, or names something that does not exist."""


class AnswerError(KitError, ValueError):
    """An answer does not fit its exercise; nothing was saved."""


class StoreError(KitError):
    """The response store cannot be reached or written (locked, read-only, missing, full)."""


class IdentityError(KitError, ValueError):
    """A participant or cohort name is not acceptable."""


class ImportFileError(KitError):
    """An export file cannot be imported; nothing was changed."""
