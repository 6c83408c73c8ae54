"""What the twin's model answers to each question, read from its source (localstack/lexv2_plugin);
a twin run that answers otherwise fails, so the fidelity tables and this file change together.
The sources: 1 iam_slr.py (SLR inline policies allowed by the account setting) and LocalStack
community, which does not evaluate a caller's policies; 2 models.py alias_runtime_view (the
version's roleArn); 3 delivery.py check_assumable (SourceAccount and the alias ARN); 4 delivery.py
metric data (two dimension sets); 5 delivery.py audio key; 6 runtime.py (delivery is synchronous);
7 versions.py (ResourceInUseException, HTTP 400)."""

TWIN_ANSWERS = {
    1: "not enforced by the twin (caller policies are not evaluated); the twin's "
       "service-linked-role model: allowed (PutRolePolicy answered 200)",
    2: "the published version's own roleArn",
    3: "aws:SourceAccount presented; aws:SourceArn presented, the alias ARN bot-alias/BOT/ALIAS",
    4: "[BotAliasId, BotId, LocaleId, Operation]; [BotId, BotVersion, LocaleId, Operation]",
    5: "{logPrefix}{botId}/{botAliasId}/{localeId}/{sessionId}/{requestId}.wav",
    6: "at once: the first turn's log (attempt 1)",
    7: "ResourceInUseException (HTTP 400)",
}
