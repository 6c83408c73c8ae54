//! `--alarm`: one CloudWatch alarm per alias on its traffic (AWS/Lex RuntimeRequestCount) and its
//! log group's incoming events (AWS/Logs IncomingLogEvents). The alarm exists after apply with
//! those metrics and our tag; its inputs, read through GetMetricData as the alarm reads them, are
//! traffic with incoming events while delivery works and traffic without them once delivery is
//! broken behind the tool's back; destroy removes it (and keeps the logs); a rolled-back apply
//! leaves no alarm; another team's alarm of our name is refused, never overwritten.
//!
//! LocalStack 4.10 does not evaluate metric math (the twin's test_service_metrics.py records it):
//! the test reads the alarm's input metrics and evaluates its expression,
//! `IF(traffic > 0 AND FILL(incoming, 0) == 0, 1, 0)`, itself.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{MetricAlarm, MetricDataQuery};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{expect_exit, run_tool_at, stdout, World, ACCOUNT};

use super::{cmd, logged, say, tool, with};

fn alarm_name(world: &World, alias_id: &str) -> String {
    format!(
        "lex-logs-setup-{}-{alias_id}-text-logs-stopped",
        world.bot_id
    )
}

async fn alarm(world: &World, name: &str) -> Option<MetricAlarm> {
    let out = world
        .clients
        .cloudwatch
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .expect("DescribeAlarms");
    out.metric_alarms().first().cloned()
}

async fn tags_of(world: &World, arn: &str) -> BTreeMap<String, String> {
    let out = world
        .clients
        .cloudwatch
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("ListTagsForResource");
    out.tags()
        .iter()
        .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
        .collect()
}

fn dimensions(query: &MetricDataQuery) -> BTreeMap<String, String> {
    let metric = query.metric_stat().unwrap().metric().unwrap();
    metric
        .dimensions()
        .iter()
        .map(|d| {
            (
                d.name().unwrap().to_string(),
                d.value().unwrap().to_string(),
            )
        })
        .collect()
}

/// The alarm's metric inputs (not its expressions), each summed over [since, now], read through
/// GetMetricData with the alarm's own metric, dimensions, statistic and period. Sent in
/// CloudWatch's Query protocol (which AWS also serves), as verify does: LocalStack 4.10 cannot
/// parse the AWS SDK for Rust's RPC v2 CBOR request.
async fn inputs(world: &World, alarm: &MetricAlarm, since: DateTime) -> BTreeMap<String, f64> {
    use aws_smithy_types::date_time::Format;
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let later = DateTime::from_secs(now().secs() + 60);
    let mut form = format!(
        "Action=GetMetricData&Version=2010-08-01&StartTime={}&EndTime={}",
        enc(&since.fmt(Format::DateTime).unwrap()),
        enc(&later.fmt(Format::DateTime).unwrap()),
    );
    let reads = alarm.metrics().iter().filter(|q| q.metric_stat().is_some());
    for (n, query) in reads.enumerate() {
        let stat = query.metric_stat().unwrap();
        let metric = stat.metric().unwrap();
        let at = format!("&MetricDataQueries.member.{}", n + 1);
        form.push_str(&format!(
            "{at}.Id={}{at}.ReturnData=true{at}.MetricStat.Period={}{at}.MetricStat.Stat={}{at}.MetricStat.Metric.Namespace={}{at}.MetricStat.Metric.MetricName={}",
            enc(query.id().unwrap()),
            stat.period().unwrap(),
            enc(stat.stat().unwrap()),
            enc(metric.namespace().unwrap()),
            enc(metric.metric_name().unwrap()),
        ));
        for (d, dim) in metric.dimensions().iter().enumerate() {
            let dat = format!("{at}.MetricStat.Metric.Dimensions.member.{}", d + 1);
            form.push_str(&format!(
                "{dat}.Name={}{dat}.Value={}",
                enc(dim.name().unwrap()),
                enc(dim.value().unwrap())
            ));
        }
    }
    let sent = world
        .clients
        .cloudwatch
        .get_metric_data()
        .metric_data_queries(MetricDataQuery::builder().id("unused").build())
        .start_time(since)
        .end_time(later)
        .customize()
        .mutate_request(move |req| lex_logs_setup::aws::into_cloudwatch_query(req, &form))
        .send()
        .await;
    // The CBOR deserializer cannot read the XML answer: the raw response is read.
    let err = sent.expect_err("an XML answer the CBOR client cannot read");
    let raw = err.raw_response().expect("an answer");
    assert!(raw.status().is_success(), "GetMetricData: {err:?}");
    results_of(&String::from_utf8_lossy(raw.body().bytes().unwrap()))
}

/// Each result's id and the sum of its values, from GetMetricData's XML answer.
fn results_of(xml: &str) -> BTreeMap<String, f64> {
    let between = |s: &'_ str, open: &str, close: &str| -> Option<String> {
        let rest = s.split(open).nth(1)?;
        Some(rest.split(close).next()?.to_string())
    };
    xml.split("<Id>")
        .skip(1)
        .map(|result| {
            let id = result.split("</Id>").next().unwrap().to_string();
            let values = between(result, "<Values>", "</Values>").unwrap_or_default();
            let sum = values
                .split("<member>")
                .skip(1)
                .filter_map(|v| v.split("</member>").next()?.trim().parse::<f64>().ok())
                .sum();
            (id, sum)
        })
        .collect()
}

/// The alarm's expression on its inputs: traffic (the requests summed) and incoming events.
fn evaluate(inputs: &BTreeMap<String, f64>) -> (f64, f64, bool) {
    let traffic: f64 = inputs
        .iter()
        .filter(|(id, _)| id.starts_with("requests_"))
        .map(|(_, v)| v)
        .sum();
    let incoming = inputs.get("incoming").copied().unwrap_or(0.0);
    (traffic, incoming, traffic > 0.0 && incoming == 0.0)
}

/// Now, in whole seconds (LocalStack 4.10 cannot parse a CBOR timestamp with a fraction).
fn now() -> DateTime {
    DateTime::from_secs(DateTime::from(std::time::SystemTime::now()).secs())
}

#[tokio::test]
async fn the_alarm_sees_traffic_without_incoming_events_when_delivery_breaks() {
    let world = World::new().await;
    let group = world.log_group();
    let topic = format!("arn:aws:sns:us-east-1:{ACCOUNT}:oncall");
    let args = with(world.target_args(), &["--alarm", "--alarm-topic", &topic]);
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("alarm["), "{}", stdout(&out));

    let name = alarm_name(&world, &world.alias_id);
    let found = alarm(&world, &name)
        .await
        .expect("the alarm exists after apply");
    assert_eq!(found.alarm_actions(), std::slice::from_ref(&topic));
    let tags = tags_of(&world, found.alarm_arn().unwrap()).await;
    assert_eq!(
        tags.get("lex-logs-setup:managed-by").map(String::as_str),
        Some("lex-logs-setup")
    );
    let by_id: BTreeMap<&str, &MetricDataQuery> = found
        .metrics()
        .iter()
        .map(|q| (q.id().unwrap(), q))
        .collect();
    let text = by_id["requests_en_US_text"];
    let stat = text.metric_stat().unwrap();
    assert_eq!(stat.metric().unwrap().namespace(), Some("AWS/Lex"));
    assert_eq!(
        stat.metric().unwrap().metric_name(),
        Some("RuntimeRequestCount")
    );
    let expected: BTreeMap<String, String> = [
        ("BotAliasId", world.alias_id.as_str()),
        ("BotId", world.bot_id.as_str()),
        ("LocaleId", "en_US"),
        ("Operation", "RecognizeText"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .into();
    assert_eq!(dimensions(text), expected);
    let incoming = by_id["incoming"];
    assert_eq!(
        incoming
            .metric_stat()
            .unwrap()
            .metric()
            .unwrap()
            .metric_name(),
        Some("IncomingLogEvents")
    );
    assert_eq!(dimensions(incoming)["LogGroupName"], group);
    assert_eq!(
        by_id["logs_stopped"].expression(),
        Some("IF(traffic > 0 AND FILL(incoming, 0) == 0, 1, 0)")
    );

    // A second apply is a no-op.
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));

    // Delivery works: traffic and incoming events.
    let start = now();
    let (session, _) = say(&world, &world.alias_id, "hello").await;
    assert_eq!(logged(&world, &group, &session).await.len(), 1);
    let (traffic, events, fires) = evaluate(&inputs(&world, &found, start).await);
    assert!(
        traffic >= 1.0 && events >= 1.0 && !fires,
        "{traffic} {events}"
    );

    // Behind the tool's back: our grant on the bot's role removed. Lex still answers, no log.
    world
        .clients
        .iam
        .delete_role_policy()
        .role_name(world.bot_role_name())
        .policy_name(format!("{}-ConversationLogs", world.role_name()))
        .send()
        .await
        .expect("DeleteRolePolicy");
    // The turns before and after the break fall on either side of a whole second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let broken = DateTime::from_secs(now().secs() + 1);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    for _ in 0..2 {
        let (session, _) = say(&world, &world.alias_id, "anyone?").await;
        assert!(logged(&world, &group, &session).await.is_empty());
    }
    let read = inputs(&world, &found, broken).await;
    let (traffic, events, fires) = evaluate(&read);
    assert_eq!((traffic, events), (2.0, 0.0), "{read:?}");
    assert!(fires, "the alarm's expression is 1 on these inputs");

    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(
        alarm(&world, &name).await.is_none(),
        "destroy removes the alarm"
    );
    let kept = world
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(kept.log_groups().len(), 1, "destroy keeps the log group");
}

/// True when the alias logs text (conversation log settings with text enabled).
async fn logs_text(world: &World, alias_id: &str) -> bool {
    let settings = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(alias_id)
        .send()
        .await
        .unwrap();
    settings
        .conversation_log_settings()
        .map(|s| s.text_log_settings().iter().any(|t| t.enabled()))
        .unwrap_or(false)
}

/// In place the first alarm fails; in the dedicated mode, with two aliases, the second one does,
/// after the first was made: the rollback deletes it, and undoes every other change.
#[tokio::test]
async fn a_failed_alarm_rolls_everything_back_in_both_modes() {
    for (dedicated, nth) in [(false, 1), (true, 2)] {
        let world = World::new().await;
        let second = world.add_alias("second").await;
        let mut target = match dedicated {
            true => world.dedicated_args(),
            false => world.target_args(),
        };
        target.extend(["--alias".to_string(), "second".to_string()]);
        let args = cmd("apply", &target, &["--alarm", "--yes"]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let proxy = FaultProxy::start(Fault::RejectNth("cloudwatch:PutMetricAlarm", nth)).await;
        let out = run_tool_at(&proxy.endpoint, &args).await;
        expect_exit(&out, 1);
        let puts = proxy
            .calls()
            .into_iter()
            .filter(|c| c.operation == "PutMetricAlarm")
            .map(|c| c.injected)
            .collect::<Vec<_>>();
        assert_eq!(puts.get(nth - 1), Some(&"rejected"), "{puts:?}");
        // In place the two alarms run side by side; in the dedicated mode the first was made.
        let made = puts.iter().filter(|p| p.is_empty()).count();
        assert!(made >= nth - 1, "{puts:?}");
        let deleted = proxy
            .mutating()
            .iter()
            .filter(|c| *c == "cloudwatch:DeleteAlarms")
            .count();
        assert_eq!(deleted, made, "each alarm made is deleted by the rollback");
        for alias in [world.alias_id.as_str(), second.as_str()] {
            let name = alarm_name(&world, alias);
            assert!(alarm(&world, &name).await.is_none(), "{name} left");
            assert!(
                !logs_text(&world, alias).await,
                "{alias}'s logs rolled back"
            );
        }
    }
}

#[tokio::test]
async fn another_teams_alarm_of_our_name_is_refused_and_kept() {
    let world = World::new().await;
    let second = world.add_alias("second").await;
    let name = alarm_name(&world, &second);
    world
        .clients
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(&name)
        .namespace("Team/X")
        .metric_name("Pages")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(5.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("PutMetricAlarm");
    let args = with(world.target_args(), &["--alias", "second", "--alarm"]);
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 64);
    let said = crate::support::stderr(&out);
    assert!(
        said.contains("is not ours") && said.contains(&name),
        "{said}"
    );
    let kept = alarm(&world, &name).await.expect("their alarm is kept");
    assert_eq!(kept.metric_name(), Some("Pages"));
    assert!(alarm(&world, &alarm_name(&world, &world.alias_id))
        .await
        .is_none());

    // Destroy leaves it alone too.
    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(alarm(&world, &name).await.is_some());
}
