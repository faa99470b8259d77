"""Small helpers for the words people read, shared by the CLI and Slack messages."""


def plural(count: int, noun: str) -> str:
    """`1 tip`, `3 tips`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
