"""The storage the coaching loop needs, as the coaching domain defines it.

`bot.store.sql.SqlStore` implements it on SQLite and PostgreSQL. Every method is one short
transaction. Methods that read or change one person's commitment take their user id too and
touch nothing of anyone else's: commitments, notes and reflections are their author's only.
`claim_check_in` and `reclaim_check_in` decide who posts a check-in, atomically, in the
database itself. All datetimes are timezone-aware; they come back in UTC.

A store sees one workspace (`for_workspace`) or every workspace (the scheduler's view).
Methods keyed by a person's user id need one workspace; methods keyed by a commitment id
(unique across workspaces) work on either, and a scoped store finds only its own.
"""

from datetime import datetime
from typing import Protocol

from bot.coaching.models import (
    CheckIn,
    CheckInKind,
    CheckInStatus,
    Commitment,
    CommitmentDraft,
    FinalAnswer,
    Funnel,
    Profile,
    TipOutcomes,
)
from bot.workspace import Workspace


class CoachingStore(Protocol):
    """Commitments, the check-in ledger, and each person's track and focus."""

    def for_workspace(self, workspace: Workspace) -> "CoachingStore":
        """The same store, seeing only `workspace`'s rows."""
        ...

    # Commitments ----------------------------------------------------------------------

    def save_commitment(self, draft: CommitmentDraft, now: datetime) -> tuple[Commitment, bool]:
        """Store the commitment; True with it when new, False when an open one was edited.

        A person has at most one open (active or paused) commitment per tip, enforced by a
        unique index: committing again replaces its text, note, due time and timezone, and
        makes a paused one active again. The first `created_at` is kept.
        """
        ...

    def get_commitment(self, commitment_id: int, user_id: str) -> Commitment | None:
        """The commitment if it exists and is `user_id`'s, else None."""
        ...

    def commitments_of(self, user_id: str) -> list[Commitment]:
        """Every commitment of one person, newest first."""
        ...

    def answer_commitment(
        self,
        commitment_id: int,
        user_id: str,
        due_at: datetime,
        answer: FinalAnswer,
        now: datetime,
    ) -> Commitment | None:
        """End an active commitment with the person's answer to its check-in at `due_at`.

        A compare-and-set: None (nothing changed) unless it is `user_id`'s, still active,
        and still due at `due_at`, so a second click, or a click on an older check-in,
        changes nothing. The answer is also written on the check-in's ledger row.
        """
        ...

    def snooze_commitment(
        self, commitment_id: int, user_id: str, due_at: datetime, new_due: datetime, now: datetime
    ) -> Commitment | None:
        """Move an active commitment's check-in from `due_at` to `new_due` ("Not yet").

        The same compare-and-set as `answer_commitment`; the old check-in's ledger row
        records the answer `not_yet`.
        """
        ...

    def save_reflection(
        self, commitment_id: int, user_id: str, reflection: str, now: datetime
    ) -> bool:
        """Keep what the person learned on their own done or partly commitment."""
        ...

    def resume_commitments(self, user_id: str, now: datetime) -> int:
        """Make the person's paused commitments active again; an overdue one is due `now`."""
        ...

    # What the scheduler does --------------------------------------------------------------

    def due_commitments(self, now: datetime) -> list[Commitment]:
        """Active commitments whose `next_action_at` is at or before `now`, oldest due first."""
        ...

    def due_check_ins(self, now: datetime) -> list[CheckIn]:
        """The ledger rows of those commitments for their current due time."""
        ...

    def schedule_next_look(
        self, commitment_id: int, due_at: datetime, next_action_at: datetime | None
    ) -> bool:
        """Set when the scheduler next looks at an active commitment still due at `due_at`."""
        ...

    def lapse_commitment(self, commitment_id: int, due_at: datetime, now: datetime) -> bool:
        """End an active commitment still due at `due_at` as lapsed; True if this call did."""
        ...

    def pause_commitments(self, user_id: str, reason: str, now: datetime) -> int:
        """Pause every active commitment of a person tipbot cannot DM; how many were paused."""
        ...

    # The check-in ledger ------------------------------------------------------------------

    def claim_check_in(
        self,
        commitment: Commitment,
        kind: CheckInKind,
        claimed_by: str,
        now: datetime,
    ) -> bool:
        """Insert the ledger row of the commitment's `kind` DM for its due time as 'claimed'.

        The exactly-once gate: a unique (commitment, kind, due time) constraint lets one
        caller win, across threads and processes. Only the winner may post.
        """
        ...

    def reclaim_check_in(
        self,
        commitment_id: int,
        kind: CheckInKind,
        due_at: datetime,
        claimed_by: str,
        now: datetime,
    ) -> bool:
        """Atomically move the row from 'retry' back to 'claimed'; True for the one winner."""
        ...

    def finish_check_in(
        self,
        commitment_id: int,
        kind: CheckInKind,
        due_at: datetime,
        status: CheckInStatus,
        *,
        now: datetime,
        reason: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
        expect: CheckInStatus | None = None,
        claimed_before: datetime | None = None,
    ) -> bool:
        """Record how a DM ended; with `expect` or `claimed_before`, as a compare-and-set."""
        ...

    def record_missed_check_in(
        self, commitment: Commitment, kind: CheckInKind, reason: str, now: datetime
    ) -> bool:
        """Insert the row as 'missed' with the reason; False if it already has a row."""
        ...

    def check_ins_of(self, commitment_id: int) -> list[CheckIn]:
        """Every ledger row of one commitment, oldest first."""
        ...

    def stale_check_in_claims(self, older_than: datetime) -> list[CheckIn]:
        """Rows still 'claimed' that were claimed before `older_than` (their worker died)."""
        ...

    # Track and focus ------------------------------------------------------------------

    def get_profile(self, user_id: str) -> Profile | None:
        """The person's track and focus, or None if they never set either."""
        ...

    def save_profile(self, profile: Profile, now: datetime) -> None:
        """Insert or replace the person's track and focus."""
        ...

    # Aggregates for admins, without names -------------------------------------------------

    def commitment_outcomes(self) -> list[TipOutcomes]:
        """Per tip, how many commitments were made and how they ended; most made first."""
        ...

    def coaching_funnel(self, since: datetime) -> Funnel:
        """Tips served, commitments made, check-ins answered and Done since `since`."""
        ...
