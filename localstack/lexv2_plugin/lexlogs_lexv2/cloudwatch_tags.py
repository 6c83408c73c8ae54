"""CloudWatch PutMetricAlarm's `Tags`, as AWS applies them: LocalStack 4.10 keeps them inside the
alarm (so DescribeAlarms fails to serialize it over RPC v2 CBOR, the protocol the AWS SDK for Rust
speaks) and never adds them to the alarm's tags (ListTagsForResource answers none).

AWS (CloudWatch API Reference, PutMetricAlarm, `Tags`,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html): the
tags are associated with the alarm when it is created; on an update of an existing alarm they are
ignored (TagResource changes them). Here: the request's Tags are taken out before LocalStack's
provider stores the alarm, and given to the alarm's tags only when the call created it.
"""


def _alarm_arn(account_id: str, region: str, name: str) -> str:
    return f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{name}"


def install() -> None:
    import functools

    from localstack.services.cloudwatch.provider_v2 import CloudwatchProvider

    if getattr(CloudwatchProvider, "_lexlogs_tags_patched", False):
        return
    original = CloudwatchProvider.put_metric_alarm

    # functools.wraps keeps LocalStack's handler markers (operation, expand_parameters), which the
    # dispatcher reads off the function.
    @functools.wraps(original)
    def put_metric_alarm(self, context, request):
        tags = request.pop("Tags", None)
        store = self.get_store(context.account_id, context.region)
        arn = _alarm_arn(context.account_id, context.region, request.get("AlarmName", ""))
        existed = arn in store.alarms
        result = original(self, context, request)
        if tags and not existed and arn in store.alarms:
            store.TAGS.tag_resource(arn, tags)
        return result

    CloudwatchProvider.put_metric_alarm = put_metric_alarm
    CloudwatchProvider._lexlogs_tags_patched = True
