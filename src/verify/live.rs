//! The live check of `verify`: one conversation turn on an alias (RecognizeText, or
//! RecognizeUtterance with a short clip of silence), then the log read back (CloudWatch Logs
//! FilterLogEvents, S3 ListObjectsV2) and the delivery-failure metric (CloudWatch
//! GetMetricStatistics).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::operation::get_metric_statistics::builders::GetMetricStatisticsFluentBuilder;
use aws_sdk_cloudwatch::operation::get_metric_statistics::GetMetricStatisticsOutput;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Statistic};
use serde_json::Value;

use crate::aws::Clients;
use crate::error::{AwsError, Context as _, Error, Result};

/// The delivery-failure metric of text logs (AWS/Lex).
pub const TEXT_FAILURE_METRIC: &str = "ConversationLogsTextDeliveryFailure";
/// The delivery-failure metric of audio logs (AWS/Lex).
pub const AUDIO_FAILURE_METRIC: &str = "ConversationLogsAudioDeliveryFailure";

/// The content type of the clip: 16 kHz, mono, 16-bit little-endian PCM.
pub const PCM: &str = "audio/l16; rate=16000; channels=1";

/// Half a second of silence at 16 kHz, 16-bit mono.
pub fn silence() -> Vec<u8> {
    vec![0u8; 16_000]
}

/// A session id no one else uses: `lex-logs-setup-verify-<hex>`.
pub fn session_id(index: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    hasher.write_u32(std::process::id());
    hasher.write_usize(index);
    format!("lex-logs-setup-verify-{:016x}", hasher.finish())
}

/// One alias to talk to.
#[derive(Debug, Clone)]
pub struct Turn<'a> {
    pub bot_id: &'a str,
    pub alias_id: &'a str,
    pub locale: &'a str,
    pub session: &'a str,
    /// The session attributes of the turn (selective logging asks for them; see `probe`).
    pub attributes: &'a BTreeMap<String, String>,
}

/// Sends one RecognizeText turn.
pub async fn say(clients: &Clients, turn: &Turn<'_>) -> Result<()> {
    clients
        .runtime
        .recognize_text()
        .bot_id(turn.bot_id)
        .bot_alias_id(turn.alias_id)
        .locale_id(turn.locale)
        .session_id(turn.session)
        .set_session_state((!turn.attributes.is_empty()).then(|| {
            aws_sdk_lexruntimev2::types::SessionState::builder()
                .set_session_attributes(Some(turn.attributes.clone().into_iter().collect()))
                .build()
        }))
        .text("lex-logs-setup verify: is this conversation logged?")
        .send()
        .await
        .context(
            "lex:RecognizeText",
            format!("alias[{}/{}]", turn.bot_id, turn.alias_id),
        )?;
    Ok(())
}

/// Sends one RecognizeUtterance turn with half a second of silence.
pub async fn speak(clients: &Clients, turn: &Turn<'_>) -> Result<()> {
    clients
        .runtime
        .recognize_utterance()
        .bot_id(turn.bot_id)
        .bot_alias_id(turn.alias_id)
        .locale_id(turn.locale)
        .session_id(turn.session)
        .request_content_type(PCM)
        .set_session_state((!turn.attributes.is_empty()).then(|| {
            let state = serde_json::json!({ "sessionAttributes": turn.attributes });
            super::probe::gzip_base64(state.to_string().as_bytes())
        }))
        .input_stream(aws_sdk_lexruntimev2::primitives::ByteStream::from(silence()))
        .send()
        .await
        .context(
            "lex:RecognizeUtterance",
            format!("alias[{}/{}]", turn.bot_id, turn.alias_id),
        )?;
    Ok(())
}

/// The log line of one of `sessions` in `group`, among streams that start with `prefix`, written
/// since `since_ms` (epoch milliseconds); `None` while none has arrived.
pub async fn find_log_line(
    clients: &Clients,
    group: &str,
    prefix: &str,
    sessions: &[String],
    since_ms: i64,
) -> Result<Option<Value>> {
    let mut token: Option<String> = None;
    loop {
        let mut request = clients
            .logs
            .filter_log_events()
            .log_group_name(group)
            .start_time(since_ms)
            .set_next_token(token.take());
        if !prefix.is_empty() {
            request = request.log_stream_name_prefix(prefix);
        }
        let out = match request
            .send()
            .await
            .context("logs:FilterLogEvents", format!("log_group[{group}]"))
        {
            Ok(out) => out,
            // The group may appear later (or never: the static check says so).
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let found = out.events().iter().find_map(|e| {
            let message = e.message().unwrap_or_default();
            if !sessions.iter().any(|s| message.contains(s.as_str())) {
                return None;
            }
            serde_json::from_str::<Value>(message)
                .ok()
                .filter(|line| sessions.iter().any(|s| line["sessionId"] == s.as_str()))
                .map(|mut line| {
                    if let (Some(stream), Some(object)) =
                        (e.log_stream_name(), line.as_object_mut())
                    {
                        object.insert("logStreamName".into(), stream.into());
                    }
                    line
                })
        });
        if found.is_some() {
            return Ok(found);
        }
        match out.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
}

/// The key of the audio object of one of `sessions` under `prefix` of `bucket`; `None` while
/// none has arrived.
pub async fn find_audio(
    clients: &Clients,
    bucket: &str,
    prefix: &str,
    sessions: &[String],
) -> Result<Option<String>> {
    // The bucket must be the bot's account's (as every bucket call says, ExpectedBucketOwner).
    let owner = clients.caller().await?.scope.account;
    let mut token: Option<String> = None;
    loop {
        let out = clients
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .expected_bucket_owner(&owner)
            .prefix(prefix)
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| {
                Error::from(AwsError::from_sdk(
                    "s3:ListBucket",
                    format!("bucket[{bucket}]"),
                    &e,
                ))
            })?;
        if let Some(key) = out
            .contents()
            .iter()
            .filter_map(|o| o.key())
            .find(|k| sessions.iter().any(|s| k.contains(s.as_str())))
        {
            return Ok(Some(key.to_string()));
        }
        match out.next_continuation_token() {
            Some(next) if out.is_truncated() == Some(true) => token = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
}

/// Which delivery-failure metric, and for which turn.
#[derive(Debug, Clone)]
pub struct MetricQuery<'a> {
    /// `ConversationLogsTextDeliveryFailure` or `ConversationLogsAudioDeliveryFailure`.
    pub metric: &'a str,
    pub bot_id: &'a str,
    pub alias_id: &'a str,
    pub locale: &'a str,
    /// `RecognizeText` or `RecognizeUtterance`.
    pub operation: &'a str,
    pub since: SystemTime,
}

/// The sum of the metric since the turn (dimensions BotId, BotAliasId, LocaleId, Operation);
/// `None` when CloudWatch has no data point (yet) or cannot be read.
///
/// The SDK speaks CloudWatch's Smithy RPC v2 CBOR protocol, which emulators built on older
/// botocore models (LocalStack 4.10) cannot parse; when that call fails, the same request is sent
/// in CloudWatch's Query protocol (which AWS also serves) and the sums are read from its XML.
pub async fn failures(clients: &Clients, q: &MetricQuery<'_>) -> Option<f64> {
    // CloudWatch (on AWS) counts whole minutes: the first may hold failures from just before.
    let start = whole_seconds(q.since);
    let end = whole_seconds(SystemTime::now() + Duration::from_secs(60));
    let dimensions = [
        ("BotId", q.bot_id),
        ("BotAliasId", q.alias_id),
        ("LocaleId", q.locale),
        ("Operation", q.operation),
    ];
    let request = || metric_request(clients, q.metric, &dimensions, start, end);
    let sum = match request().send().await {
        Ok(out) => datapoint_sum(&out),
        Err(e) => {
            tracing::debug!(error = ?e, "GetMetricStatistics (CBOR) failed; trying the Query protocol");
            let form = query_form(q.metric, &dimensions, &start, &end);
            sum_by_query(request(), form).await
        }
    };
    (sum > 0.0).then_some(sum)
}

/// A time as CloudWatch takes it, to the whole second.
fn whole_seconds(t: SystemTime) -> DateTime {
    DateTime::from_secs(
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    )
}

/// GetMetricStatistics of one AWS/Lex metric: its sum per minute, with these dimensions.
fn metric_request(
    clients: &Clients,
    metric: &str,
    dimensions: &[(&str, &str)],
    start: DateTime,
    end: DateTime,
) -> GetMetricStatisticsFluentBuilder {
    let mut r = clients
        .cloudwatch
        .get_metric_statistics()
        .namespace("AWS/Lex")
        .metric_name(metric)
        .start_time(start)
        .end_time(end)
        .period(60)
        .statistics(Statistic::Sum);
    for (name, value) in dimensions {
        r = r.dimensions(Dimension::builder().name(*name).value(*value).build());
    }
    r
}

/// The sum of the data points of an answer.
fn datapoint_sum(out: &GetMetricStatisticsOutput) -> f64 {
    out.datapoints().iter().filter_map(|d| d.sum()).sum()
}

/// Sends the request in CloudWatch's Query protocol (the form body `form`, same endpoint) and
/// sums its answer; 0 when it fails.
async fn sum_by_query(request: GetMetricStatisticsFluentBuilder, form: String) -> f64 {
    let sent = request
        .customize()
        .mutate_request(move |req| crate::aws::into_cloudwatch_query(req, &form))
        .send()
        .await;
    // The CBOR deserializer cannot read the XML answer: read the raw response.
    match &sent {
        Err(e) if e.raw_response().is_some_and(|r| r.status().is_success()) => e
            .raw_response()
            .and_then(|r| r.body().bytes())
            .map(|b| xml_sums(&String::from_utf8_lossy(b)))
            .unwrap_or(0.0),
        Ok(out) => datapoint_sum(out),
        Err(e) => {
            tracing::debug!(error = ?e, "GetMetricStatistics (Query) failed; no metric is reported");
            0.0
        }
    }
}

/// The form body of GetMetricStatistics in CloudWatch's Query protocol.
fn query_form(
    metric: &str,
    dimensions: &[(&str, &str)],
    start: &DateTime,
    end: &DateTime,
) -> String {
    use aws_smithy_types::date_time::Format;
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let mut form = format!(
        "Action=GetMetricStatistics&Version=2010-08-01&Namespace={}&MetricName={}&Period=60&Statistics.member.1=Sum&StartTime={}&EndTime={}",
        enc("AWS/Lex"),
        enc(metric),
        enc(&start.fmt(Format::DateTime).unwrap_or_default()),
        enc(&end.fmt(Format::DateTime).unwrap_or_default()),
    );
    for (i, (name, value)) in dimensions.iter().enumerate() {
        form.push_str(&format!(
            "&Dimensions.member.{n}.Name={}&Dimensions.member.{n}.Value={}",
            enc(name),
            enc(value),
            n = i + 1
        ));
    }
    form
}

/// The sum of every `<Sum>` of a GetMetricStatistics XML answer.
fn xml_sums(xml: &str) -> f64 {
    xml.split("<Sum>")
        .skip(1)
        .filter_map(|rest| rest.split("</Sum>").next())
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .sum()
}

/// How long to wait before looking again: every second at first, then every 5 seconds.
pub fn poll_interval(elapsed: Duration) -> Duration {
    if elapsed < Duration::from_secs(10) {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_unique_and_valid_for_lex() {
        let a = session_id(0);
        let b = session_id(0);
        assert_ne!(a, b);
        assert!(a.starts_with("lex-logs-setup-verify-"));
        assert!(a.len() <= 100);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c)));
    }

    #[test]
    fn the_query_fallback_form_and_answer() {
        use aws_sdk_cloudwatch::primitives::DateTime;
        let form = query_form(
            "ConversationLogsTextDeliveryFailure",
            &[("BotId", "B"), ("Operation", "RecognizeText")],
            &DateTime::from_secs(0),
            &DateTime::from_secs(60),
        );
        assert!(
            form.starts_with("Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FLex&"),
            "{form}"
        );
        assert!(
            form.contains("StartTime=1970%2D01%2D01T00%3A00%3A00Z"),
            "{form}"
        );
        assert!(
            form.contains(
                "&Dimensions.member.2.Name=Operation&Dimensions.member.2.Value=RecognizeText"
            ),
            "{form}"
        );
        let xml = "<GetMetricStatisticsResponse><Datapoints><member><Sum>1.0</Sum></member><member><Sum>2</Sum></member></Datapoints></GetMetricStatisticsResponse>";
        assert_eq!(xml_sums(xml), 3.0);
        assert_eq!(xml_sums("<Datapoints/>"), 0.0);
    }

    #[test]
    fn the_clip_is_half_a_second_of_16_khz_mono_silence() {
        assert_eq!(silence().len(), 16_000);
        assert!(silence().iter().all(|b| *b == 0));
        assert_eq!(
            poll_interval(Duration::from_secs(1)),
            Duration::from_secs(1)
        );
        assert_eq!(
            poll_interval(Duration::from_secs(30)),
            Duration::from_secs(5)
        );
    }
}
