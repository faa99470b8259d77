"""`tipbot import`: draft tips from a markdown article's takeaways for an admin to review."""
