"""What a command asks after writing a date: one Finish, whose steps are the journal's, in its order."""

from __future__ import annotations

from digest.core.intents import Finish


def test_nothing_asked_is_the_digests_and_the_indexes() -> None:
    assert Finish().steps() == ("write", "indexes")


def test_push_commits_first() -> None:
    assert Finish("push").steps() == ("write", "indexes", "commit", "push")


def test_notifying_again_is_the_notify_step() -> None:
    assert Finish("commit", "again").steps() == ("write", "indexes", "commit", "notify")


def test_the_steps_an_earlier_run_left_owed_are_finished_as_asked_and_messages_sent_once() -> None:
    assert Finish.of_steps(("push", "notify")) == Finish("push", "owed")
    assert Finish.of_steps(("commit",)) == Finish("commit", "none")
    assert Finish.of_steps(()) == Finish()
