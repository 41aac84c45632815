"""The expected failures of sitrep, each mapped to one clear message for the user.

The CLI prints ``str(error)`` on one line of standard error and exits 2; the bot replies with it
ephemerally. Anything that is not a ``SitrepError`` is unexpected and reaches one logged handler.
"""


class SitrepError(Exception):
    """Base of every expected failure; its message is shown to the user as it is."""


class InputError(SitrepError):
    """An article could not be read: empty, binary, too large, undecodable, no article body."""


class ConfigError(SitrepError):
    """The configuration is missing a key, has a wrong value or an unknown key."""


class TemplateError(SitrepError):
    """A user template could not be loaded or rendered."""
