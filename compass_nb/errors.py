"""Errors a user can cause: each carries a message that says what to do.

Every message is passed through the credential scrubber
(:func:`compass_nb.credentials.scrub`), so a password that reached one (a driver's error
quoting a connection URL) is shown as ``***``.
"""

from compass_nb.credentials import scrub


class CompassError(Exception):
    """Base class for errors reported to the user as one clear message."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))

    def __str__(self) -> str:
        return scrub(super().__str__())


class InputError(CompassError):
    """A source file or table cannot be read (missing column, bad encoding, ...)."""


class ParameterError(CompassError):
    """A parameter is unknown or has the wrong type."""


class StoreBusy(CompassError):
    """The cycle store stayed locked by another process for longer than the wait limit."""


class PlanError(CompassError):
    """A compensation plan file breaks its schema."""


class NotApplicable(CompassError):
    """The data gives a step nothing it can honestly compute (e.g. no compensation plan
    version in effect in the period): the run marks the step *skipped* with this message,
    as it does a step whose input tables the source lacks."""


class StoreUnwritable(CompassError):
    """The cycle store cannot be opened or written (permissions, a read-only or full disk)."""
