//! Pacing the calls to each AWS service in each account (and region; IAM's quota is global)
//! under the account's API rate limit. AWS throttles an account's calls per service, and neither
//! Lex V2 nor IAM documents the rate, so the tool finds it: calls go unpaced until the service
//! throttles two within a second (a rate limit throttles in bursts; a lone throttle is only
//! retried), then at most at a rate that drops to 0.7 of what the service admitted in the
//! last second on a throttle (at most once a second) and climbs by one call per second every
//! second the service admits them (AIMD), never under 2 calls a second, and never over
//! `--rate-limit` when given. A [`Pacer`] per (account, region, service) is shared by every
//! client of that place in the process; its clients wait their turn in the HTTP client (each
//! attempt, retries too) and report each attempt's outcome from an interceptor, classified by the
//! SDK's own retry classifiers. Each pacer's clients also share a retry partition of their own,
//! whose retry quota a throttled retry does not spend (the SDK's default partition, one per
//! service for the whole process, runs dry under a throttled fleet and then fails calls after a
//! retry or two). The SDK's check of a stalled upload is off on these clients: a call waiting its
//! turn would look stalled.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Duration;

use aws_smithy_runtime::client::retries::classifiers::run_classifiers_on_ctx;
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::retries::classifiers::{RetryAction, RetryReason};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::ErrorKind;

/// The lowest rate a throttled service is paced at (calls per second).
const MIN_RATE: f64 = 2.0;
/// The share of the admitted rate kept on a throttle.
const DECREASE: f64 = 0.7;
/// Calls per second the rate climbs each second the service admits them.
const INCREASE: f64 = 1.0;
/// After a decrease, throttles are not counted again for this long (they answer calls sent at
/// the rate before it).
const COOLDOWN: f64 = 1.0;
/// The window the admitted rate is measured over (seconds).
const WINDOW: f64 = 1.0;

/// The pacing of one (account, region, service), in seconds since the pacer started: pure, so
/// that its behaviour is tested without a clock.
#[derive(Debug, Clone)]
pub(crate) struct PaceState {
    /// `--rate-limit`, if given.
    cap: Option<f64>,
    /// The rate calls are paced at; none until a throttle (or a cap).
    rate: Option<f64>,
    last_sent: Option<f64>,
    last_throttle: Option<f64>,
    last_decrease: Option<f64>,
    /// When the calls the service admitted in the last `WINDOW` were answered.
    admitted: VecDeque<f64>,
}

impl PaceState {
    pub(crate) fn new(cap: Option<f64>) -> PaceState {
        PaceState {
            cap,
            rate: cap,
            last_sent: None,
            last_throttle: None,
            last_decrease: None,
            admitted: VecDeque::new(),
        }
    }

    /// The rate calls are paced at, if they are.
    pub(crate) fn rate(&self) -> Option<f64> {
        self.rate
    }

    /// Seconds a call must wait at `now` before it is sent (0: now).
    pub(crate) fn delay(&self, now: f64) -> f64 {
        match (self.rate, self.last_sent) {
            (Some(rate), Some(last)) => (last + 1.0 / rate - now).max(0.0),
            _ => 0.0,
        }
    }

    /// A call was sent at `now`.
    pub(crate) fn sent(&mut self, now: f64) {
        self.last_sent = Some(now);
    }

    /// The service throttled a call at `now`: pace at 0.7 of the rate it admitted in the last
    /// second (or of the pace, if lower), unless the rate dropped less than a second ago, or
    /// calls are unpaced and no other throttle came in the last second.
    pub(crate) fn throttled(&mut self, now: f64) {
        let lone = !self.last_throttle.is_some_and(|t| now - t <= WINDOW);
        self.last_throttle = Some(now);
        if (self.rate.is_none() && lone) || self.last_decrease.is_some_and(|t| now - t < COOLDOWN) {
            return;
        }
        self.forget(now);
        let admitted = self.admitted.len() as f64 / WINDOW;
        let basis = self.rate.map_or(admitted, |rate| rate.min(admitted));
        let rate = (basis * DECREASE).max(MIN_RATE);
        self.rate = Some(self.cap.map_or(rate, |cap| rate.min(cap)));
        self.last_decrease = Some(now);
    }

    /// The service admitted a call at `now`: a paced rate climbs (by `INCREASE` a second at
    /// that rate), up to the cap.
    pub(crate) fn admitted(&mut self, now: f64) {
        self.admitted.push_back(now);
        self.forget(now);
        if let Some(rate) = self.rate {
            let rate = rate + INCREASE / rate;
            self.rate = Some(self.cap.map_or(rate, |cap| rate.min(cap)));
        }
    }

    fn forget(&mut self, now: f64) {
        while self.admitted.front().is_some_and(|t| now - t > WINDOW) {
            self.admitted.pop_front();
        }
    }
}

/// The pacing of one (account, region, service), shared by its clients: calls take their turn
/// in order.
#[derive(Debug)]
pub(crate) struct Pacer {
    turns: tokio::sync::Mutex<()>,
    state: Mutex<PaceState>,
    epoch: tokio::time::Instant,
}

impl Pacer {
    pub(crate) fn new(cap: Option<f64>) -> Pacer {
        Pacer {
            turns: tokio::sync::Mutex::new(()),
            state: Mutex::new(PaceState::new(cap)),
            epoch: tokio::time::Instant::now(),
        }
    }

    fn now(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state.lock().expect("the lock is never poisoned")
    }

    /// Waits until a call may be sent (calls wait in the order they came; a rate that drops
    /// while they wait applies to them).
    pub(crate) async fn turn(&self) {
        let _turn = self.turns.lock().await;
        loop {
            let delay = self.state().delay(self.now());
            if delay <= 0.0 {
                let now = self.now();
                self.state().sent(now);
                return;
            }
            tokio::time::sleep(Duration::from_secs_f64(delay)).await;
        }
    }

    pub(crate) fn throttled(&self) {
        let now = self.now();
        let mut state = self.state();
        state.throttled(now);
        tracing::debug!(rate = ?state.rate(), "throttled: pacing the calls");
    }

    pub(crate) fn admitted(&self) {
        let now = self.now();
        self.state().admitted(now);
    }

    #[cfg(test)]
    pub(crate) fn rate(&self) -> Option<f64> {
        self.state().rate()
    }
}

/// `--rate-limit` (calls per second per service, account and region), set once when the
/// configuration is loaded, before any client is built.
static RATE_LIMIT: OnceLock<f64> = OnceLock::new();

/// Refuses a `--rate-limit` out of range.
pub(crate) fn check_rate_limit(rate: Option<f64>) -> crate::error::Result<()> {
    match rate.filter(|r| !(1.0..=10_000.0).contains(r)) {
        Some(rate) => Err(crate::error::Error::invalid(
            format!("--rate-limit {rate} is out of range"),
            "give --rate-limit a number of calls per second from 1 to 10000 (a call waits its turn within --call-timeout)",
        )),
        None => Ok(()),
    }
}

pub(crate) fn set_rate_limit(rate: Option<f64>) {
    if let Some(rate) = rate {
        let _ = RATE_LIMIT.set(rate);
    }
}

/// (who: an account, or "caller" for the credentials given; region, "" for IAM; service).
type Key = (String, String, &'static str);

/// Every pacer of the process, with its clients' retry partition.
type Pacers = HashMap<Key, (Arc<Pacer>, RetryPartition)>;

static PACERS: LazyLock<Mutex<Pacers>> = LazyLock::new(Default::default);

/// What a service's client is built with to be paced: its HTTP client, the interceptor that
/// reports outcomes, and its retry partition.
pub(crate) struct Paced {
    pub http: PacedHttpClient,
    pub watch: ThrottleWatch,
    pub partition: RetryPartition,
}

/// The pacing of `service` for `who` in `region` (one per process), over `http`.
pub(crate) fn paced(
    who: &str,
    region: &str,
    service: &'static str,
    http: SharedHttpClient,
) -> Paced {
    let region = if service == "iam" { "" } else { region };
    let (pacer, partition) = PACERS
        .lock()
        .expect("the lock is never poisoned")
        .entry((who.to_string(), region.to_string(), service))
        .or_insert_with(|| {
            let bucket = TokenBucket::builder().throttling_retry_cost(0).build();
            let partition = RetryPartition::custom(format!("{service}-{who}-{region}"))
                .token_bucket(bucket)
                .build();
            (Arc::new(Pacer::new(RATE_LIMIT.get().copied())), partition)
        })
        .clone();
    Paced {
        http: PacedHttpClient {
            inner: http,
            pacer: pacer.clone(),
        },
        watch: ThrottleWatch { pacer },
        partition,
    }
}

/// A client of `$sdk` built from `$config`, paced for `$who` in its region, sending through
/// `$http`; `$configure` sets anything else on the builder.
macro_rules! paced_client {
    ($sdk:ident, $config:expr, $http:expr, $who:expr, $service:literal) => {
        paced_client!($sdk, $config, $http, $who, $service, |b| b)
    };
    ($sdk:ident, $config:expr, $http:expr, $who:expr, $service:literal, $configure:expr) => {{
        let config: &aws_config::SdkConfig = $config;
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let paced = $crate::aws::pacing::paced($who, &region, $service, $http.clone());
        // A call waiting its turn has not started its upload: the SDK's upload stall check
        // (0 bytes sent after 5 s) would fail it. The bodies are small and in memory; the
        // attempt's timeout bounds a real stall.
        let stalls = $sdk::config::StalledStreamProtectionConfig::enabled()
            .upload_enabled(false)
            .build();
        let builder = $sdk::config::Builder::from(config)
            .http_client(paced.http)
            .interceptor(paced.watch)
            .retry_partition(paced.partition)
            .stalled_stream_protection(stalls);
        $sdk::Client::from_conf(($configure)(builder).build())
    }};
}
pub(crate) use paced_client;

/// An HTTP client whose calls wait their pacer's turn.
#[derive(Debug, Clone)]
pub(crate) struct PacedHttpClient {
    inner: SharedHttpClient,
    pacer: Arc<Pacer>,
}

impl HttpClient for PacedHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
        })
    }

    fn validate_base_client_config(
        &self,
        components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_base_client_config(components, cfg)
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Arc<Pacer>,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, pacer) = (self.inner.clone(), self.pacer.clone());
        HttpConnectorFuture::new(async move {
            pacer.turn().await;
            inner.call(request).await
        })
    }
}

/// Tells the pacer how each attempt went: throttled (as the SDK's retry classifiers say), or
/// answered otherwise (admitted). An attempt without an answer (a timeout), a server error, and a
/// quota refusal the SDK files under throttling (`LimitExceededException`: CloudWatch Logs' and
/// KMS's resource quotas, no rate) say nothing about the rate.
#[derive(Debug)]
pub(crate) struct ThrottleWatch {
    pacer: Arc<Pacer>,
}

impl Intercept for ThrottleWatch {
    fn name(&self) -> &'static str {
        "ThrottleWatch"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let context = context.inner();
        let Some(response) = context.response() else {
            return Ok(());
        };
        let throttled = matches!(
            run_classifiers_on_ctx(components.retry_classifiers(), context),
            RetryAction::RetryIndicated(RetryReason::RetryableError {
                kind: ErrorKind::ThrottlingError,
                ..
            })
        );
        let body = response.body().bytes().unwrap_or_default();
        match answer_kind(throttled, response.status().as_u16(), body) {
            Answer::Throttled => self.pacer.throttled(),
            Answer::Admitted => self.pacer.admitted(),
            Answer::Neither => {}
        }
        Ok(())
    }
}

/// What an answer says about the rate a service admits.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Throttled,
    Admitted,
    Neither,
}

/// Judges an answer: `throttled` as the SDK's classifiers said, its HTTP `status` and `body`.
/// A quota refusal (`LimitExceededException`) is no throttle, and a server error no admission.
pub(crate) fn answer_kind(throttled: bool, status: u16, body: &[u8]) -> Answer {
    let quota = body
        .windows(QUOTA_CODE.len())
        .any(|w| w == QUOTA_CODE.as_bytes());
    match (throttled, quota, status) {
        (true, false, _) => Answer::Throttled,
        (true, true, _) | (false, _, 500..) => Answer::Neither,
        (false, _, _) => Answer::Admitted,
    }
}

/// The error code the SDK's classifiers count as throttling that is a resource quota instead.
const QUOTA_CODE: &str = "LimitExceededException";

/// The HTTP client of `config`'s clients: its own, or the SDK's default HTTPS client (hyper 1,
/// rustls with aws-lc, the proxy from the environment) as `aws-smithy-runtime` builds it when a
/// configuration names none; one per set of clients, not per process (its connections belong
/// to the tokio runtime that opened them).
pub(crate) fn http_client(config: &aws_config::SdkConfig) -> SharedHttpClient {
    if let Some(http) = config.http_client() {
        return http;
    }
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::{tls, Builder, ConnectorBuilder};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

#[cfg(test)]
#[path = "pacing_tests.rs"]
mod tests;
