//! The wait for one channel's log: sends the turn, then looks for the log until it arrives, the
//! timeout passes, or (when the static check already failed) Lex counts a delivery failure.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

use crate::aws::Clients;
use crate::error::Result;
use crate::progress::Progress;

use super::check::{AudioDest, TextDest};
use super::live::{self, MetricQuery, Turn};
use super::report::{ChannelReport, Status};

/// How often a wait says it is still waiting.
const STILL_WAITING_EVERY: Duration = Duration::from_secs(15);

/// One channel's wait: where it reports, the turn, whether the static check expects a failure,
/// and how long to wait.
pub struct Watch<'a> {
    pub clients: &'a Clients,
    pub progress: &'a Progress,
    /// The alias as progress lines name it.
    pub address: &'a str,
    pub turn: &'a Turn<'a>,
    pub expect_failure: bool,
    /// When the run's `--timeout` runs out (it bounds the whole run, not each wait).
    pub deadline: Instant,
    pub timeout_seconds: u64,
}

/// What the live check of one channel saw.
pub struct Live {
    delivered: Option<(f64, Value)>,
    detail: Option<String>,
    failure_metric: Option<f64>,
}

impl Live {
    fn delivered(seconds: f64, found: Value) -> Self {
        Live {
            delivered: Some((seconds, found)),
            detail: None,
            failure_metric: None,
        }
    }

    fn not_delivered(detail: String, failure_metric: Option<f64>) -> Self {
        Live {
            delivered: None,
            detail: Some(detail),
            failure_metric,
        }
    }

    /// Puts what the live check saw in the channel's report.
    pub fn apply(self, channel: &mut ChannelReport) {
        match self.delivered {
            Some((seconds, found)) => {
                channel.status = Status::Delivered;
                channel.seconds = Some((seconds * 10.0).round() / 10.0);
                channel.found = Some(found);
            }
            None => channel.status = Status::NotDelivered,
        }
        channel.detail = self.detail;
        channel.failure_metric = self.failure_metric;
    }
}

/// One RecognizeText turn, and its log line read back from the group.
pub async fn text(watch: &Watch<'_>, dest: &TextDest) -> Live {
    let since_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64 - 60_000)
        .unwrap_or(0);
    let metric = failure_metric(watch.turn, live::TEXT_FAILURE_METRIC, "RecognizeText");
    let (clients, session) = (watch.clients, watch.turn.session);
    poll(
        watch,
        "text log line",
        live::say(clients, watch.turn),
        || live::find_log_line(clients, &dest.group, &dest.prefix, session, since_ms),
        metric,
    )
    .await
}

/// One RecognizeUtterance turn, and its audio object found in the bucket.
pub async fn audio(watch: &Watch<'_>, dest: &AudioDest) -> Live {
    let metric = failure_metric(watch.turn, live::AUDIO_FAILURE_METRIC, "RecognizeUtterance");
    let (clients, session) = (watch.clients, watch.turn.session);
    poll(
        watch,
        "audio object",
        live::speak(clients, watch.turn),
        || async {
            Ok(
                live::find_audio(clients, &dest.bucket, &dest.prefix, session)
                    .await?
                    .map(|key| json!({"key": key})),
            )
        },
        metric,
    )
    .await
}

/// The delivery-failure metric of this turn's operation, counted from now.
fn failure_metric<'a>(turn: &Turn<'a>, metric: &'a str, operation: &'a str) -> MetricQuery<'a> {
    MetricQuery {
        metric,
        bot_id: turn.bot_id,
        alias_id: turn.alias_id,
        locale: turn.locale,
        operation,
        since: SystemTime::now(),
    }
}

/// Sends the turn, then looks for the log until it arrives, or the timeout, or (when the static
/// check already failed) the failure metric shows the delivery failed.
async fn poll<F, Fut>(
    watch: &Watch<'_>,
    what: &str,
    send: impl Future<Output = Result<()>>,
    mut look: F,
    metric: MetricQuery<'_>,
) -> Live
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Value>>>,
{
    let line = watch
        .progress
        .start('?', watch.address, &format!("waiting for the {what}"));
    let started = Instant::now();
    if let Err(e) = send.await {
        line.finish(false);
        return Live::not_delivered(format!("the request failed: {e}"), None);
    }
    let mut reported = Instant::now();
    loop {
        let seen = match look().await {
            Ok(Some(found)) => Some(Live::delivered(started.elapsed().as_secs_f64(), found)),
            Ok(None) => None,
            Err(e) => Some(Live::not_delivered(
                format!("could not read the {what} back: {e}"),
                live::failures(watch.clients, &metric).await,
            )),
        };
        let elapsed = started.elapsed();
        let outcome = match seen {
            Some(outcome) => Some(outcome),
            None => give_up(watch, what, &metric, elapsed).await,
        };
        if let Some(outcome) = outcome {
            line.finish(outcome.delivered.is_some());
            return outcome;
        }
        if reported.elapsed() >= STILL_WAITING_EVERY {
            watch.progress.line(format!(
                "{}: still waiting for the {what} ({:.0} s; --timeout {} s)",
                watch.address,
                elapsed.as_secs_f64(),
                watch.timeout_seconds
            ));
            reported = Instant::now();
        }
        let remaining = watch.deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(
            live::poll_interval(elapsed).min(remaining.max(Duration::from_millis(50))),
        )
        .await;
    }
}

/// Whether to stop waiting for a log that has not arrived: Lex counted a delivery failure (asked
/// only when the static check expects one), or the timeout passed.
async fn give_up(
    watch: &Watch<'_>,
    what: &str,
    metric: &MetricQuery<'_>,
    elapsed: Duration,
) -> Option<Live> {
    if watch.expect_failure {
        if let Some(n) = live::failures(watch.clients, metric).await {
            return Some(Live::not_delivered(
                format!(
                    "Lex counted a delivery failure after {:.1} s",
                    elapsed.as_secs_f64()
                ),
                Some(n),
            ));
        }
    }
    if Instant::now() >= watch.deadline {
        return Some(Live::not_delivered(
            format!(
                "timed out: no {what} after {:.0} s (--timeout {} s for the whole run)",
                elapsed.as_secs_f64(),
                watch.timeout_seconds
            ),
            live::failures(watch.clients, metric).await,
        ));
    }
    None
}
