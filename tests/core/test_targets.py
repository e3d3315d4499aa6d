"""A notification target is shown in Apprise's privacy form, with what Apprise leaves readable masked too."""

from __future__ import annotations

from digest.core.redact import redact
from digest.core.targets import mask_target, remember_targets


def test_a_slack_target_is_shown_in_apprises_privacy_form() -> None:
    assert mask_target("slack://T0AAAAAAA/B0BBBBBBB/SlackTokenC123") == "slack://T...A/B...B/S...3"


def test_a_json_targets_path_is_masked() -> None:
    assert mask_target("json://127.0.0.1:8080/hook/PathToken99") == "json://127.0.0.1:8080/***/***"


def test_an_ntfy_topic_is_masked() -> None:
    assert mask_target("ntfy://SecretTopic77") == "ntfys://***"


def test_a_mail_targets_user_and_password_are_masked() -> None:
    assert mask_target("mailto://me:Passw0rd@example.org") == "mailto://***@example.org"


def test_a_target_apprise_cannot_read_shows_its_scheme_only() -> None:
    assert mask_target("nosuchservice://TokenInClear") == "nosuchservice://***"


def test_a_remembered_targets_bot_token_payload_and_header_are_masked_in_any_message() -> None:
    remember_targets(["tgram://123456789:BotToken42/987654", "json://127.0.0.1:9/x?:token=Payload42&+X-Auth=Header42"])
    assert redact("bot123456789:BotToken42 sent {'token': Payload42} with Header42") == (
        "bot123456789:*** sent {'token': ***} with ***"
    )
