"""The project's own exception types; the CLI turns them into clean messages and exit codes."""


class TipbotError(Exception):
    """Base class for errors tipbot reports to a person rather than as a traceback."""


class ConfigError(TipbotError):
    """The environment is missing or has a bad setting; the message says what to set."""
