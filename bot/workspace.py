"""Which Slack workspace a row, a request or a post belongs to."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Workspace:
    """A workspace: its team id, and the Enterprise Grid org it belongs to, if any.

    An org-wide install answers for every workspace of the org with one token, so the
    token is found by `enterprise_id`; rows are still kept apart by `team_id`.
    """

    team_id: str
    enterprise_id: str | None = None

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.team_id}" if self.enterprise_id else self.team_id
