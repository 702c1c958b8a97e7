"""Errors a user can cause: each carries a message that says what to do."""


class CompassError(Exception):
    """Base class for errors reported to the user as one clear message."""


class InputError(CompassError):
    """A source file or table cannot be read (missing column, bad encoding, ...)."""


class ParameterError(CompassError):
    """A parameter is unknown or has the wrong type."""


class StoreBusy(CompassError):
    """The cycle store stayed locked by another process for longer than the wait limit."""


class PlanError(CompassError):
    """A compensation plan file breaks its schema."""


class StoreUnwritable(CompassError):
    """The cycle store cannot be opened or written (permissions, a read-only or full disk)."""
