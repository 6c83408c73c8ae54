//! Waiting on Lex: retrying a call that passes a role IAM has not propagated yet (bounded
//! backoff, with a visible line), and polling until a bot or alias is Available.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::progress::Progress;

/// How long to wait for IAM to make a new role usable by Lex.
const IAM_WAIT: Duration = Duration::from_secs(90);
/// How long to wait for a bot or alias to become Available.
const STATUS_WAIT: Duration = Duration::from_secs(300);

/// True when Lex refused because the role is not usable yet (IAM is eventually consistent): Lex
/// could not assume a role that was just made or changed. The caller's own lack of
/// `iam:PassRole` (AccessDenied, "not authorized") does not pass with time: it fails at once.
fn is_iam_propagation(err: &Error) -> bool {
    let Some(aws) = err.aws() else { return false };
    if !aws.is(&["ValidationException", "BadRequestException"]) {
        return false;
    }
    let message = aws.message.to_ascii_lowercase();
    if message.contains("not authorized") || message.contains("iam:passrole") {
        return false;
    }
    ["role", "assume", "permission"]
        .iter()
        .any(|w| message.contains(w))
}

/// Runs `call` until it succeeds, fails for another reason, or IAM_WAIT passes; retries only
/// errors caused by IAM propagation, with backoff 1, 2, 4, 8, 8, ... seconds.
pub(crate) async fn retry_while_iam_propagates<T, F, Fut>(
    progress: &Progress,
    what: &str,
    mut call: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = Instant::now();
    let mut delay = Duration::from_secs(1);
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if is_iam_propagation(&e) && started.elapsed() + delay < IAM_WAIT => {
                tracing::debug!(error = %e, attempt, "IAM propagation: retrying");
                progress.line(format!(
                    "waiting for IAM: {what} was refused while the role propagates (attempt {attempt}, {:.0}s elapsed; retrying in {}s)",
                    started.elapsed().as_secs_f32(),
                    delay.as_secs()
                ));
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(8));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Statuses a bot or alias passes through after an update.
const TRANSITIONAL: &[&str] = &[
    "Creating",
    "Updating",
    "Versioning",
    "Importing",
    "Building",
];

/// The pause before the `attempt`th re-poll (from 0): short at first, since an update on AWS is
/// usually back to Available within a second, then doubling up to 5 s (250 ms, 500 ms, 1 s, 2 s,
/// 4 s, 5 s, ...).
fn poll_pause(attempt: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << attempt.min(5))).min(Duration::from_secs(5))
}

/// Polls `status` while the bot or alias is in a transitional status, first after a short pause
/// and then backing off ([`poll_pause`]); fails on Failed or Deleting, or after STATUS_WAIT.
pub(crate) async fn until_available<F, Fut>(
    progress: &Progress,
    what: &str,
    mut status: F,
) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<String>>,
{
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        let now = status().await?;
        match now.as_str() {
            "Failed" | "Deleting" => {
                return Err(Error::Timeout(format!(
                    "{what} is {now}, not Available; check it in the Lex console"
                )))
            }
            // Available, and stable states such as Inactive: nothing to wait for.
            other if !TRANSITIONAL.contains(&other) => return Ok(()),
            _ if started.elapsed() > STATUS_WAIT => {
                return Err(Error::Timeout(format!(
                "{what} is still {now} after {}s; check it in the Lex console and run apply again",
                STATUS_WAIT.as_secs()
            )))
            }
            _ => {
                let pause = poll_pause(attempt);
                progress.line(format!(
                    "waiting for {what} to become Available (now {now}; next look in {:.2}s)",
                    pause.as_secs_f32()
                ));
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AwsError;

    fn lex_error(code: &str, message: &str) -> Error {
        AwsError {
            place: None,
            operation: "lex:UpdateBot",
            resource: "bot[B]".into(),
            code: code.into(),
            message: message.into(),
            request_id: None,
            status: Some(400),
            hint: String::new(),
        }
        .into()
    }

    #[test]
    fn only_refusals_about_the_role_are_waited_out() {
        assert!(is_iam_propagation(&lex_error(
            "ValidationException",
            "Lex could not assume the role arn:..."
        )));
        assert!(
            !is_iam_propagation(&lex_error(
                "AccessDeniedException",
                "User: arn:aws:iam::1:user/dev is not authorized to perform: iam:PassRole"
            )),
            "the caller's missing PassRole does not pass with time"
        );
        assert!(!is_iam_propagation(&lex_error(
            "ValidationException",
            "missing iam:PassRole permission on the role"
        )));
        assert!(!is_iam_propagation(&lex_error(
            "ValidationException",
            "botName must match the pattern"
        )));
        assert!(!is_iam_propagation(&lex_error(
            "ConflictException",
            "the role is being updated"
        )));
        assert!(!is_iam_propagation(&Error::Config("role".into())));
    }

    #[tokio::test]
    async fn waits_only_through_transitional_statuses() {
        tokio::time::pause();
        let progress = Progress::new(true);
        let answers = std::sync::Mutex::new(vec!["Inactive", "Updating", "Creating"]);
        let result = until_available(&progress, "bot[B]", || {
            let next = answers.lock().unwrap().pop().unwrap();
            async move { Ok(next.to_string()) }
        })
        .await;
        assert!(result.is_ok(), "Inactive is stable, not a failure");
        assert!(answers.lock().unwrap().is_empty());
        let failed =
            until_available(&progress, "bot[B]", || async { Ok("Failed".to_string()) }).await;
        assert!(failed.unwrap_err().to_string().contains("is Failed"));
        let stuck =
            until_available(&progress, "bot[B]", || async { Ok("Updating".to_string()) }).await;
        assert!(
            stuck.unwrap_err().to_string().contains("still Updating"),
            "bounded"
        );
    }

    #[test]
    fn polls_soon_then_backs_off_to_a_ceiling() {
        let pauses: Vec<u64> = (0..8).map(|a| poll_pause(a).as_millis() as u64).collect();
        assert_eq!(pauses, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
        assert_eq!(poll_pause(u32::MAX), Duration::from_secs(5), "no overflow");
    }

    #[tokio::test]
    async fn retries_are_bounded_and_visible() {
        tokio::time::pause();
        let progress = Progress::new(true);
        let mut calls = 0;
        let result: Result<()> = retry_while_iam_propagates(&progress, "UpdateBot", || {
            calls += 1;
            async { Err(lex_error("ValidationException", "cannot assume role")) }
        })
        .await;
        assert!(result.is_err(), "gives up");
        assert!(
            (5..=20).contains(&calls),
            "bounded by the {}s budget: {calls} calls",
            IAM_WAIT.as_secs()
        );
    }
}
