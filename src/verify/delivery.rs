//! The wait for one channel's log: sends a probe turn, then looks for its log until it arrives,
//! the deadline passes, or (only when the static check already found why it cannot work) Lex
//! counts a delivery failure. While no log has arrived it sends a new probe, in a new session,
//! every few seconds (`probe::resend_after`): Lex applies log settings to new sessions, and IAM
//! changes reach Lex seconds to minutes after they are made, so an early turn may be lost for
//! good while a later one is logged. Every session sent is looked for until the end.

use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

use crate::aws::Clients;
use crate::error::{Error, Result};
use crate::progress::Progress;

use super::check::{AudioDest, TextDest};
use super::live::{self, MetricQuery, Turn};
use super::probe;
use super::report::{ChannelReport, Status};

/// One channel's wait: where it reports, the first turn (its session is shared with the other
/// channel's first turn), whether the static check expects a failure, and how long to wait.
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
    delivered: Option<Value>,
    detail: Option<String>,
    failure_metric: Option<f64>,
    /// Probe turns sent.
    attempts: u32,
    /// The session whose log arrived, else the last one sent.
    session: Option<String>,
    /// Seconds from the first probe to the log, or to giving up.
    seconds: f64,
}

impl Live {
    /// Puts what the live check saw in the channel's report.
    pub fn apply(self, channel: &mut ChannelReport) {
        let seconds = Some((self.seconds * 10.0).round() / 10.0);
        match self.delivered {
            Some(found) => {
                channel.status = Status::Delivered;
                channel.seconds = seconds;
                channel.found = Some(found);
            }
            None => {
                channel.status = Status::NotDelivered;
                channel.waited_seconds = seconds;
            }
        }
        channel.attempts = Some(self.attempts);
        channel.session_id = self.session;
        channel.detail = self.detail;
        channel.failure_metric = self.failure_metric;
    }
}

/// What is probed: text (RecognizeText, the log line read back from the group) or audio
/// (RecognizeUtterance, the object found in the bucket).
enum Channel<'a> {
    Text { dest: &'a TextDest, since_ms: i64 },
    Audio(&'a AudioDest),
}

impl Channel<'_> {
    fn what(&self) -> &'static str {
        match self {
            Channel::Text { .. } => "text log line",
            Channel::Audio(_) => "audio object",
        }
    }

    async fn send(&self, clients: &Clients, turn: &Turn<'_>) -> Result<()> {
        match self {
            Channel::Text { .. } => live::say(clients, turn).await,
            Channel::Audio(_) => live::speak(clients, turn).await,
        }
    }

    async fn look(&self, clients: &Clients, sessions: &[String]) -> Result<Option<Value>> {
        match self {
            Channel::Text { dest, since_ms } => {
                live::find_log_line(clients, &dest.group, &dest.prefix, sessions, *since_ms).await
            }
            Channel::Audio(dest) => {
                Ok(
                    live::find_audio(clients, &dest.bucket, &dest.prefix, sessions)
                        .await?
                        .map(|key| json!({ "key": key })),
                )
            }
        }
    }

    /// The delivery-failure metric of this channel's operation, counted from now.
    fn metric<'a>(&self, turn: &Turn<'a>) -> MetricQuery<'a> {
        let (metric, operation) = match self {
            Channel::Text { .. } => (live::TEXT_FAILURE_METRIC, "RecognizeText"),
            Channel::Audio(_) => (live::AUDIO_FAILURE_METRIC, "RecognizeUtterance"),
        };
        MetricQuery {
            metric,
            bot_id: turn.bot_id,
            alias_id: turn.alias_id,
            locale: turn.locale,
            operation,
            since: SystemTime::now(),
        }
    }
}

/// Probes text logs until the log line of one of the probes arrives.
pub async fn text(watch: &Watch<'_>, dest: &TextDest) -> Live {
    let since_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64 - 60_000)
        .unwrap_or(0);
    poll(watch, &Channel::Text { dest, since_ms }).await
}

/// Probes audio logs until the audio object of one of the probes arrives.
pub async fn audio(watch: &Watch<'_>, dest: &AudioDest) -> Live {
    poll(watch, &Channel::Audio(dest)).await
}

/// The probes sent so far, and when the first left.
struct Attempts {
    sessions: Vec<String>,
    started: Instant,
    next: Instant,
}

impl Attempts {
    fn live(&self, delivered: Option<Value>, detail: Option<String>, metric: Option<f64>) -> Live {
        let session = match &delivered {
            Some(found) => found["sessionId"]
                .as_str()
                .map(str::to_string)
                .or_else(|| self.session_of(found["key"].as_str().unwrap_or_default())),
            None => self.sessions.last().cloned(),
        };
        Live {
            delivered,
            detail,
            failure_metric: metric,
            attempts: self.sessions.len() as u32,
            session,
            seconds: self.started.elapsed().as_secs_f64(),
        }
    }

    fn session_of(&self, key: &str) -> Option<String> {
        self.sessions
            .iter()
            .find(|s| key.contains(s.as_str()))
            .cloned()
    }
}

/// A failed probe that another attempt cannot mend: the alias, bot or locale is not there, or
/// the request is malformed. Anything else (throttling, a server error, a caller permission
/// still propagating) is tried again with the next probe.
fn is_permanent(e: &Error) -> bool {
    e.is_not_found() || e.has_code(&["ValidationException", "BadRequestException"])
}

/// Sends probes and looks for their logs until one arrives, or the deadline, or (when the static
/// check already failed) the failure metric shows the delivery failed.
async fn poll(watch: &Watch<'_>, channel: &Channel<'_>) -> Live {
    let what = channel.what();
    let line = watch
        .progress
        .start('?', watch.address, &format!("waiting for the {what}"));
    let metric = channel.metric(watch.turn);
    let now = Instant::now();
    let mut attempts = Attempts {
        sessions: Vec::new(),
        started: now,
        next: now,
    };
    let mut last_error: Option<String> = None;
    loop {
        if Instant::now() >= attempts.next && Instant::now() < watch.deadline {
            match send_next(watch, channel, &mut attempts).await {
                Ok(()) => last_error = None,
                Err(e) if is_permanent(&e) => {
                    line.finish(false);
                    return attempts.live(None, Some(format!("the request failed: {e}")), None);
                }
                Err(e) => last_error = Some(e.to_string()),
            }
        }
        let outcome = match channel.look(watch.clients, &attempts.sessions).await {
            Ok(Some(found)) => Some(attempts.live(Some(found), None, None)),
            Ok(None) => give_up(watch, what, &metric, &attempts, last_error.as_deref()).await,
            Err(e) => Some(attempts.live(
                None,
                Some(format!("could not read the {what} back: {e}")),
                live::failures(watch.clients, &metric).await,
            )),
        };
        if let Some(outcome) = outcome {
            line.finish(outcome.delivered.is_some());
            return outcome;
        }
        let now = Instant::now();
        let until = attempts
            .next
            .min(watch.deadline)
            .saturating_duration_since(now);
        let pause = live::poll_interval(attempts.started.elapsed()).min(until);
        tokio::time::sleep(pause.max(Duration::from_millis(50))).await;
    }
}

/// Sends the next probe: the first in the watch's session, each later one in a new session,
/// said on the progress line.
async fn send_next(
    watch: &Watch<'_>,
    channel: &Channel<'_>,
    attempts: &mut Attempts,
) -> Result<()> {
    let session = match attempts.sessions.is_empty() {
        true => watch.turn.session.to_string(),
        false => live::session_id(attempts.sessions.len()),
    };
    let turn = Turn {
        session: &session,
        ..watch.turn.clone()
    };
    let elapsed = attempts.started.elapsed();
    attempts.sessions.push(session.clone());
    attempts.next = Instant::now() + probe::resend_after(elapsed);
    if attempts.sessions.len() > 1 {
        watch.progress.line(format!(
            "{}: no {} yet after {:.0} s; attempt {} in a new session (--timeout {} s)",
            watch.address,
            channel.what(),
            elapsed.as_secs_f64(),
            attempts.sessions.len(),
            watch.timeout_seconds
        ));
    }
    channel.send(watch.clients, &turn).await
}

/// Whether to stop waiting for a log that has not arrived: Lex counted a delivery failure (asked
/// only when the static check expects one), or the deadline passed.
async fn give_up(
    watch: &Watch<'_>,
    what: &str,
    metric: &MetricQuery<'_>,
    attempts: &Attempts,
    last_error: Option<&str>,
) -> Option<Live> {
    let elapsed = attempts.started.elapsed().as_secs_f64();
    if watch.expect_failure {
        if let Some(n) = live::failures(watch.clients, metric).await {
            let detail = format!(
                "Lex counted a delivery failure after {elapsed:.1} s ({})",
                count(attempts.sessions.len())
            );
            return Some(attempts.live(None, Some(detail), Some(n)));
        }
    }
    if Instant::now() < watch.deadline {
        return None;
    }
    let mut detail = format!(
        "timed out: no {what} after {elapsed:.0} s, {} (--timeout {} s for the whole run)",
        count(attempts.sessions.len()),
        watch.timeout_seconds
    );
    if let Some(error) = last_error {
        detail.push_str(&format!("; the last probe failed: {error}"));
    }
    Some(attempts.live(
        None,
        Some(detail),
        live::failures(watch.clients, metric).await,
    ))
}

/// "1 attempt", "3 attempts".
fn count(attempts: usize) -> String {
    match attempts {
        1 => "1 attempt".to_string(),
        n => format!("{n} attempts"),
    }
}
