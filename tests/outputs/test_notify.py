"""Composing notifications: the message a target gets for a date, before anything is sent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from digest.core.config import Config, Settings, Topic
from digest.core.plan import Plan, make_plan
from digest.outputs.notify import compose_correction, compose_messages, refusal_cause, send_apprise
from tests.support.papers import paper

DAY = date(2025, 10, 13)
CHAT = "json://127.0.0.1:9/chat"
MAIL = "mailto://user:pw@example.org"
FIRST, SECOND, THIRD = (paper(f"2510.0000{n}", title=f"Paper [{n}]") for n in (1, 2, 3))


def plan(tmp_path: Path, **settings: object) -> Plan:
    topics = {"MLLM": Topic(keywords=["VLM"]), "LLM": Topic(keywords=["LLM"], notify=[MAIL])}
    config = Config(
        category={"cs.CV": "Computer Vision"},
        topic=topics,
        settings=Settings(output_dir=tmp_path, notify=[CHAT], **settings),  # type: ignore[arg-type]
    )
    return make_plan(config)


def test_each_target_gets_one_message_with_only_its_topics(tmp_path: Path) -> None:
    messages = compose_messages(DAY, {"MLLM": [FIRST], "LLM": []}, plan(tmp_path))
    assert [(message.target, message.title) for message in messages] == [
        (CHAT, "arXiv digest 2025-10-13"),
        (MAIL, "arXiv digest 2025-10-13"),
    ]
    assert messages[0].body == "**MLLM**: 1 paper\n- [Paper \\[1\\]](https://arxiv.org/abs/2510.00001)"


def test_a_topic_with_no_paper_is_one_line(tmp_path: Path) -> None:
    (_, mail) = compose_messages(DAY, {"MLLM": [], "LLM": []}, plan(tmp_path))
    assert mail.body == "**LLM**: 0 papers"


def test_titles_past_the_limit_are_counted_and_the_digest_is_linked(tmp_path: Path) -> None:
    planned = plan(tmp_path, notify_max_papers=1, digest_url="https://github.com/me/d/blob/main/output/")
    (chat, _) = compose_messages(DAY, {"MLLM": [FIRST, SECOND, THIRD], "LLM": []}, planned)
    assert chat.body.splitlines() == [
        "**MLLM**: 3 papers",
        "- [Paper \\[1\\]](https://arxiv.org/abs/2510.00001)",
        "… and 2 more",
        "[MLLM digest](https://github.com/me/d/blob/main/output/MLLM/2025-10-13.md)",
    ]


def test_a_papers_code_link_follows_its_title(tmp_path: Path) -> None:
    (chat,) = compose_messages(
        DAY,
        {"MLLM": [paper("2510.00001", title="Paper [1]", abstract="Code: https://github.com/a/b.")]},
        plan(tmp_path),
    )
    assert chat.body.splitlines()[1] == (
        "- [Paper \\[1\\]](https://arxiv.org/abs/2510.00001) · [code](https://github.com/a/b)"
    )


def test_a_paper_listed_as_a_new_version_is_marked_as_its_feed_entry_is(tmp_path: Path) -> None:
    updated = SECOND.model_copy(update={"version": 3, "announce_type": "replace"})
    (chat,) = compose_messages(DAY, {"MLLM": [FIRST, updated]}, plan(tmp_path))
    lines = chat.body.splitlines()
    assert lines[1].endswith("(https://arxiv.org/abs/2510.00001)")
    assert lines[2].endswith("(https://arxiv.org/abs/2510.00002) (updated: v3)")


def test_the_same_papers_give_the_same_body_hash(tmp_path: Path) -> None:
    first = compose_messages(DAY, {"MLLM": [FIRST]}, plan(tmp_path))
    again = compose_messages(DAY, {"MLLM": [FIRST]}, plan(tmp_path))
    changed = compose_messages(DAY, {"MLLM": [FIRST, SECOND]}, plan(tmp_path))
    assert first[0].body_hash == again[0].body_hash != changed[0].body_hash


def test_notify_skip_empty_leaves_out_topics_with_no_paper_and_targets_left_with_none(tmp_path: Path) -> None:
    (chat,) = compose_messages(DAY, {"MLLM": [FIRST], "LLM": []}, plan(tmp_path, notify_skip_empty=True))
    assert chat.target == CHAT
    assert compose_messages(DAY, {"MLLM": [], "LLM": []}, plan(tmp_path, notify_skip_empty=True)) == []


def test_a_correction_names_the_papers_added_and_removed(tmp_path: Path) -> None:
    planned = plan(tmp_path)
    kept = {"MLLM": [FIRST, THIRD], "LLM": []}
    (chat, _) = compose_messages(DAY, kept, planned)
    body = compose_correction(chat, kept, {"MLLM": [FIRST, SECOND], "LLM": []}, planned)
    assert body.splitlines() == [
        "**MLLM**: 2 papers (1 added, 1 removed)",
        "- added: [Paper \\[3\\]](https://arxiv.org/abs/2510.00003)",
        "- removed: [Paper \\[2\\]](https://arxiv.org/abs/2510.00002)",
    ]


def test_a_correction_says_which_topics_are_unchanged(tmp_path: Path) -> None:
    planned = plan(tmp_path)
    kept = {"MLLM": [FIRST], "LLM": [SECOND]}
    (_, mail) = compose_messages(DAY, kept, planned)
    assert compose_correction(mail, kept, {"MLLM": [], "LLM": [SECOND]}, planned) == "**LLM**: 1 paper, unchanged"


SLACK_UNRESOLVED = """\
DEBUG Slack POST URL: https://hooks.slack.com/services/T1234/B5678/abcdefghij (cert_verify=True)
WARNING A Connection error occurred posting to Slack.
DEBUG Socket Exception: HTTPSConnectionPool(host='hooks.slack.com', port=443): Max retries exceeded with url: \
/services/T1234/B5678/abcdefghij (Caused by NameResolutionError("HTTPSConnection(host='hooks.slack.com', \
port=443): Failed to resolve 'hooks.slack.com' ([Errno -2] Name or service not known)"))
"""


def test_a_failure_names_its_network_cause_and_not_the_targets_tokens() -> None:
    assert refusal_cause(SLACK_UNRESOLVED) == (
        "A Connection error occurred posting to Slack: cannot resolve hooks.slack.com (no network, or a mistyped URL)"
    )


def test_a_refused_connection_names_host_and_port() -> None:
    assert send_apprise("json://127.0.0.1:9/hook", "title", "body") == (
        "A Connection error occurred sending JSON notification to 127.0.0.1: 127.0.0.1:9 refused the connection"
    )
