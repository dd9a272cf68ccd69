"""Exceptions shared across modules."""


class CommandError(Exception):
    """A user-facing CLI error: printed as one line, exit status 2."""
