"""The CloudWatch metrics AWS itself publishes around a conversation, put by the twin into
LocalStack's CloudWatch for the alias's account and region (LocalStack publishes none of them):

- `AWS/Lex` `RuntimeRequestCount` (Count), one per runtime request, under both dimension sets
  the Lex V2 guide gives for the runtime operations: `BotId, BotAliasId, LocaleId, Operation` and
  `BotId, BotVersion, LocaleId, Operation`
  (https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-cloudwatch.html). The guide adds
  `InputMode` for RecognizeUtterance and StartConversation; the twin puts the sets without it
  for every operation (an alarm on a text bot reads RecognizeText; assumed for the others).
- `AWS/Logs` `IncomingLogEvents` (Count of events, dimension `LogGroupName`), the events uploaded
  to a group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html).
  AWS counts every PutLogEvents; the twin counts only the log lines it delivers itself.

A metric never fails the conversation: errors go to the LocalStack log.
"""

from __future__ import annotations

import logging

from localstack.aws.connect import connect_to

from .alias_view import AliasView

LOG = logging.getLogger(__name__)

LEX_NAMESPACE = "AWS/Lex"
LOGS_NAMESPACE = "AWS/Logs"
RUNTIME_REQUEST_COUNT = "RuntimeRequestCount"
INCOMING_LOG_EVENTS = "IncomingLogEvents"


def _put(account_id: str, region: str, namespace: str, data: list[dict]) -> None:
    try:
        cloudwatch = connect_to(aws_access_key_id=account_id, region_name=region).cloudwatch
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)
    except Exception:  # a metric must never fail the conversation
        LOG.exception("lexlogs: could not put %s metric %s", namespace, data[0]["MetricName"])


def lex_dimension_sets(view: AliasView, operation: str, locale_id: str) -> list[list[dict]]:
    """The two documented dimension sets of the V2 runtime metrics: by alias, and by version."""
    common = [
        {"Name": "BotId", "Value": view.bot_id},
        {"Name": "LocaleId", "Value": locale_id},
        {"Name": "Operation", "Value": operation},
    ]
    return [
        common + [{"Name": "BotAliasId", "Value": view.alias_id}],
        common + [{"Name": "BotVersion", "Value": view.bot_version}],
    ]


def count_lex(view: AliasView, metric: str, operation: str, locale_id: str) -> None:
    """One datum of 1 under each documented dimension set of the Lex V2 runtime metrics."""
    data = [
        {"MetricName": metric, "Dimensions": dimensions, "Value": 1.0, "Unit": "Count"}
        for dimensions in lex_dimension_sets(view, operation, locale_id)
    ]
    _put(view.account_id, view.region, LEX_NAMESPACE, data)


def count_request(view: AliasView, operation: str, locale_id: str) -> None:
    """`RuntimeRequestCount`: one runtime request the alias answered."""
    count_lex(view, RUNTIME_REQUEST_COUNT, operation, locale_id)


def count_incoming(account_id: str, region: str, group: str, events: int) -> None:
    """`IncomingLogEvents` of a group: the events just written to it."""
    datum = {
        "MetricName": INCOMING_LOG_EVENTS,
        "Dimensions": [{"Name": "LogGroupName", "Value": group}],
        "Value": float(events),
        "Unit": "Count",
    }
    _put(account_id, region, LOGS_NAMESPACE, [datum])
