"""The coaching loop: commit to a tip's "try", get checked in on, see your progress.

Plain Python, no Slack and no SQL: the Slack layer draws the modals and DMs, `bot.store`
implements `store.CoachingStore`, and the scheduler runs `checkins.CheckInRound` on the same
one-minute tick as the weekly fan-out.
"""
