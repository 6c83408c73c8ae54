"""The metrics AWS publishes around a conversation, as the twin puts them into LocalStack's
CloudWatch: `AWS/Lex` `RuntimeRequestCount` per runtime request (both documented dimension sets)
and `AWS/Logs` `IncomingLogEvents` per delivered log line (dimension `LogGroupName`), read back
through GetMetricData the way a CloudWatch alarm on metric math reads them.
"""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from test_runtime import REGION, World, logs_allowed  # noqa: F401  (the same seeding)


@pytest.fixture
def world():
    return World()


def alias_dimensions(world, operation="RecognizeText"):
    return [
        {"Name": "BotId", "Value": world.bot_id},
        {"Name": "BotAliasId", "Value": world.alias_id},
        {"Name": "LocaleId", "Value": "en_US"},
        {"Name": "Operation", "Value": operation},
    ]


def version_dimensions(world, operation="RecognizeText"):
    return [
        {"Name": "BotId", "Value": world.bot_id},
        {"Name": "BotVersion", "Value": "1"},
        {"Name": "LocaleId", "Value": "en_US"},
        {"Name": "Operation", "Value": operation},
    ]


def stat(namespace, name, dimensions, query_id):
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": dimensions},
            "Period": 60,
            "Stat": "Sum",
        },
        "ReturnData": True,
    }


def metric_data(world, queries):
    now = datetime.now(timezone.utc)
    results = world.cloudwatch.get_metric_data(
        MetricDataQueries=queries,
        StartTime=now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=1),
    )["MetricDataResults"]
    return {r["Id"]: sum(r["Values"]) for r in results}


def traffic_and_incoming(world):
    return metric_data(world, [
        stat("AWS/Lex", "RuntimeRequestCount", alias_dimensions(world), "traffic"),
        stat("AWS/Lex", "RuntimeRequestCount", version_dimensions(world), "byversion"),
        stat("AWS/Logs", "IncomingLogEvents", [{"Name": "LogGroupName", "Value": world.group}], "incoming"),
    ])


def test_requests_and_delivered_lines_are_counted(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    world.say("one")
    world.say("two")
    assert traffic_and_incoming(world) == {"traffic": 2, "byversion": 2, "incoming": 2}


def test_lines_not_delivered_are_not_incoming_events(world):
    # the role may not write to the group: Lex answers (traffic) and writes nothing (no events)
    world.role().log_group().bot()
    world.say("one")
    got = traffic_and_incoming(world)
    assert got == {"traffic": 1, "byversion": 1, "incoming": 0}
    assert world.metric("ConversationLogsTextDeliveryFailure") == 1


def test_requests_are_counted_without_log_settings(world):
    world.role().log_group().bot(text_logs=False)
    world.say()
    assert traffic_and_incoming(world) == {"traffic": 1, "byversion": 1, "incoming": 0}


def test_requests_on_another_alias_are_not_this_alias_traffic(world):
    world.role().inline(logs_allowed(world)).log_group().bot()
    world.runtime.recognize_text(
        botId=world.bot_id, botAliasId="TSTALIASID", localeId="en_US", sessionId=f"s-{uuid.uuid4().hex[:6]}", text="hi"
    )
    assert metric_data(world, [stat("AWS/Lex", "RuntimeRequestCount", alias_dimensions(world), "traffic")]) == {
        "traffic": 0
    }


def math_queries(world):
    return [
        dict(stat("AWS/Lex", "RuntimeRequestCount", alias_dimensions(world), "traffic"), ReturnData=False),
        dict(stat("AWS/Logs", "IncomingLogEvents", [{"Name": "LogGroupName", "Value": world.group}], "incoming"),
             ReturnData=False),
        {"Id": "silent", "Expression": "IF(traffic > 0 AND FILL(incoming, 0) == 0, 1, 0)", "ReturnData": True},
    ]


def test_get_metric_data_does_not_evaluate_metric_math(world):
    """LocalStack 4.10's GetMetricData fails on an expression query (AWS evaluates it): so tests
    read an alarm's input metrics and evaluate its expression themselves. Fails when LocalStack
    learns metric math, to say the tests could then read the expression itself."""
    world.role().log_group().bot()
    world.say()
    now = datetime.now(timezone.utc)
    with pytest.raises(ClientError) as error:
        world.cloudwatch.get_metric_data(
            MetricDataQueries=math_queries(world), StartTime=now - timedelta(minutes=10), EndTime=now + timedelta(minutes=1)
        )
    assert error.value.response["Error"]["Code"] == "InternalError"


def test_an_alarm_on_metric_math_is_stored_with_its_tags(world):
    """PutMetricAlarm with Metrics (metric math) and Tags; DescribeAlarms and ListTagsForResource
    give them back, DeleteAlarms removes it (what the tool's alarm relies on). The tags are the
    twin's mend (cloudwatch_tags.py): LocalStack 4.10 kept them inside the alarm, where
    DescribeAlarms over RPC v2 CBOR (the AWS SDK for Rust's protocol) fails to serialize them."""
    world.role().log_group().bot()
    name = f"lex-logs-setup-{world.uid}"
    world.cloudwatch.put_metric_alarm(
        AlarmName=name,
        Metrics=math_queries(world),
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        Tags=[{"Key": "managed-by", "Value": "lex-logs-setup"}],
    )
    alarm = world.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    assert [m["Id"] for m in alarm["Metrics"]] == ["traffic", "incoming", "silent"]
    assert alarm["Metrics"][2]["Expression"] == "IF(traffic > 0 AND FILL(incoming, 0) == 0, 1, 0)"
    assert alarm["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"] == alias_dimensions(world)
    tags = world.cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    assert tags == [{"Key": "managed-by", "Value": "lex-logs-setup"}]
    # On an update, PutMetricAlarm's Tags are ignored (TagResource changes them).
    world.cloudwatch.put_metric_alarm(
        AlarmName=name,
        Metrics=math_queries(world),
        EvaluationPeriods=2,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        Tags=[{"Key": "managed-by", "Value": "someone-else"}],
    )
    assert world.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["EvaluationPeriods"] == 2
    assert world.cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"] == tags
    world.cloudwatch.delete_alarms(AlarmNames=[name])
    assert world.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"] == []


def cbor_cloudwatch(world, tmp_path):
    """A CloudWatch client that speaks RPC v2 CBOR, as the AWS SDK for Rust does (botocore 1.40
    speaks query to CloudWatch): the service model with its protocol switched."""
    import json as _json

    import boto3
    import botocore.session

    session = botocore.session.Session()
    model = session.get_component("data_loader").load_service_model("cloudwatch", "service-2")
    model["metadata"].update(
        protocol="smithy-rpc-v2-cbor", protocols=["smithy-rpc-v2-cbor"], targetPrefix="GraniteServiceVersion20100801"
    )
    folder = tmp_path / "cloudwatch" / model["metadata"]["apiVersion"]
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(_json.dumps(model))
    session.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    return boto3.session.Session(
        botocore_session=session, aws_access_key_id=world.account, aws_secret_access_key="test", region_name=REGION
    ).client("cloudwatch", endpoint_url=world.cloudwatch.meta.endpoint_url)


def test_a_tagged_alarm_is_described_over_cbor(world, tmp_path):
    cloudwatch = cbor_cloudwatch(world, tmp_path)
    assert cloudwatch.meta.service_model.protocol == "smithy-rpc-v2-cbor"
    name = f"tagged-{world.uid}"
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace="Team/X", MetricName="Pages", Statistic="Sum", Period=60, EvaluationPeriods=1,
        Threshold=5.0, ComparisonOperator="GreaterThanThreshold", Tags=[{"Key": "team", "Value": "x"}],
    )
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"] == [{"Key": "team", "Value": "x"}]
