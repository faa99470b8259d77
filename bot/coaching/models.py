"""The records of the coaching domain: commitments, their check-ins, a person's preferences."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.errors import LedgerStatus
from bot.workspace import Workspace

# Whom a person's tips should favour: senior, staff, or both (no preference).
Track = Literal["senior", "staff", "both"]
TRACKS: tuple[Track, ...] = ("senior", "staff", "both")
# active: a check-in is coming or waiting for an answer. paused: tipbot cannot DM the person.
# done, partly, dropped: the person answered. lapsed: no answer after the reminder.
CommitmentState = Literal["active", "paused", "done", "partly", "dropped", "lapsed"]
# A person has at most one open commitment per tip; committing again edits it.
OPEN_STATES: tuple[CommitmentState, ...] = ("active", "paused")
ENDED_STATES: tuple[CommitmentState, ...] = ("done", "partly", "dropped", "lapsed")
# The buttons of a check-in DM. Not yet snoozes it; the others end it.
Answer = Literal["done", "partly", "not_yet", "drop"]
FinalAnswer = Literal["done", "partly", "drop"]
STATE_AFTER: dict[FinalAnswer, CommitmentState] = {
    "done": "done",
    "partly": "partly",
    "drop": "dropped",
}
# The first DM at the due time, and the one gentle reminder after it.
CheckInKind = Literal["checkin", "reminder"]
CheckInStatus = LedgerStatus
FINAL_STATUSES: frozenset[CheckInStatus] = frozenset({"sent", "missed", "failed"})


@dataclass(frozen=True)
class CommitmentDraft:
    """What a person committed to in the modal, checked (see `commit_form.problems`).

    `tip_title` is a snapshot, so a tip later edited or removed keeps its commitment
    readable; `timezone` is the IANA zone times are shown in to this person.
    """

    team_id: str
    user_id: str
    tip_id: str
    tip_title: str
    text: str
    note: str | None
    due_at: datetime
    timezone: str
    enterprise_id: str | None = None


@dataclass(frozen=True)
class Commitment:
    """One person's commitment to try one tip, and where it stands.

    `due_at` is when the check-in is due. `next_action_at` is when the scheduler next has
    something to do for it (the check-in, the reminder, the lapse), None once it has ended;
    it only saves work, because the check-in ledger decides what is posted.
    """

    id: int
    team_id: str
    user_id: str
    tip_id: str
    tip_title: str
    text: str
    note: str | None
    timezone: str
    due_at: datetime
    state: CommitmentState
    next_action_at: datetime | None
    created_at: datetime
    updated_at: datetime
    answered_at: datetime | None = None
    reflection: str | None = None
    reflected_at: datetime | None = None
    paused_reason: str | None = None
    snoozes: int = 0
    enterprise_id: str | None = None

    @property
    def workspace(self) -> Workspace:
        """The workspace the commitment was made in, whose token DMs its check-ins."""
        return Workspace(self.team_id, self.enterprise_id)

    @property
    def is_open(self) -> bool:
        """Whether it still waits for a check-in or an answer (active or paused)."""
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class CheckIn:
    """One row of the check-in ledger: what happened to one DM of one commitment's due time."""

    id: int
    commitment_id: int
    user_id: str
    kind: CheckInKind
    due_at: datetime
    status: CheckInStatus
    reason: str | None
    channel_id: str | None
    message_ts: str | None
    attempts: int
    claimed_by: str | None
    claimed_at: datetime | None
    updated_at: datetime
    answer: Answer | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True)
class Profile:
    """A person's track and up to three focus topics, which their tips favour."""

    user_id: str
    track: Track | None = None
    focus: tuple[str, ...] = ()


@dataclass(frozen=True)
class TipOutcomes:
    """How the commitments to one tip went, counted without names (for admins)."""

    tip_id: str
    title: str
    made: int
    done: int
    partly: int
    dropped: int
    lapsed: int

    @property
    def ended(self) -> int:
        """Commitments that came to an end one way or another."""
        return self.done + self.partly + self.dropped + self.lapsed

    @property
    def completion_rate(self) -> float | None:
        """Done over ended; None while none has ended."""
        return self.done / self.ended if self.ended else None


@dataclass(frozen=True)
class Funnel:
    """From tips served to Done over a period, counted without names (for admins)."""

    tips_served: int
    commitments: int
    check_ins_answered: int
    done: int
