"""The bot's errorLogSettings, which moto drops: CreateBot and UpdateBot set it, DescribeBot and
their answers return it, and an UpdateBot without it clears it (UpdateBot replaces the bot, API
reference: UpdateBot, ErrorLogSettings). Against a running LocalStack with the plugin (see
test_model.py)."""

from test_model import client, make_bot, role_arn, unique


def test_error_log_settings_are_kept_returned_and_replaced_by_update_bot():
    lex = client("lexv2-models")
    role = role_arn()
    name = unique("ErrLogBot")
    created = lex.create_bot(
        botName=name,
        roleArn=role,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
        errorLogSettings={"enabled": True},
    )
    bot_id = created["botId"]
    assert created["errorLogSettings"] == {"enabled": True}
    assert lex.describe_bot(botId=bot_id)["errorLogSettings"] == {"enabled": True}
    common = dict(
        botId=bot_id,
        botName=name,
        roleArn=role,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )
    updated = lex.update_bot(**common, errorLogSettings={"enabled": False})
    assert updated["errorLogSettings"] == {"enabled": False}
    # UpdateBot replaces the bot: without the member, it is gone.
    lex.update_bot(**common)
    assert "errorLogSettings" not in lex.describe_bot(botId=bot_id)
    # A bot made without it has none.
    other, _, _ = make_bot(lex)
    assert "errorLogSettings" not in lex.describe_bot(botId=other)
