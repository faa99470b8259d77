"""The importer's own error: an article that cannot become tips, and why."""

from bot.errors import TipbotError


class ArticleError(TipbotError):
    """The article cannot be turned into tips; the message says why and what to do."""
