//! Loading the AWS configuration (profile, region, endpoint, retries) once, and the bundle of
//! service clients that share it and its HTTP client.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};

use crate::arn::Scope;
use crate::error::{Context, Error, Result};
use crate::spec::{AssumeRole, Location, DEFAULT_SESSION_NAME};

mod listings;
pub(crate) mod pacing;
mod profiles;
use profiles::{require_profile, ProfileSource};

/// The AWS flags every subcommand shares.
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// AWS region (default: from AWS_REGION or the profile)
    #[arg(long, global = true, env = "AWS_REGION")]
    pub region: Option<String>,
    /// Named profile from ~/.aws/config (default: AWS_PROFILE or "default")
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (an emulator); also read from AWS_ENDPOINT_URL
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Seconds to wait for a connection to an AWS endpoint
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        env = "LEX_LOGS_SETUP_CONNECT_TIMEOUT",
        default_value_t = DEFAULT_CONNECT_TIMEOUT_SECS
    )]
    pub connect_timeout: u64,
    /// Seconds one attempt of an AWS call may wait for its answer; with its retries, a call gives
    /// up after 3 times this
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        env = "LEX_LOGS_SETUP_CALL_TIMEOUT",
        default_value_t = DEFAULT_CALL_TIMEOUT_SECS
    )]
    pub call_timeout: u64,
    /// Calls per second at most to each AWS service in each account and region (IAM: each
    /// account); without it, calls slow down only when AWS throttles them
    #[arg(
        long,
        global = true,
        value_name = "CALLS",
        env = "LEX_LOGS_SETUP_RATE_LIMIT"
    )]
    pub rate_limit: Option<f64>,
}

pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;
pub const DEFAULT_CALL_TIMEOUT_SECS: u64 = 30;
/// A call with all its retries takes at most this many attempt timeouts.
pub const CALL_TIMEOUT_ATTEMPTS: u32 = 3;

impl AwsArgs {
    /// The timeouts every call gets: connect, per attempt, and per call with its retries (so no
    /// call waits for ever on an endpoint that accepts connections and never answers). An
    /// attempt's bound is the HTTP read timeout, which starts when the request is sent: the time
    /// a call waits for its pacing turn (`pacing`) is not an attempt's, only the call's.
    fn timeouts(&self) -> Result<TimeoutConfig> {
        for (flag, value) in [
            ("--connect-timeout", self.connect_timeout),
            ("--call-timeout", self.call_timeout),
        ] {
            if !(1..=3600).contains(&value) {
                return Err(Error::invalid(
                    format!("{flag} {value} is out of range"),
                    format!("give {flag} a number of seconds from 1 to 3600"),
                ));
            }
        }
        pacing::check_rate_limit(self.rate_limit)?;
        let attempt = Duration::from_secs(self.call_timeout);
        Ok(TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(self.connect_timeout))
            .read_timeout(attempt)
            .operation_timeout(attempt * CALL_TIMEOUT_ATTEMPTS)
            .build())
    }
}

/// One client per service, all built from one `SdkConfig` (one HTTP client, one credential cache).
#[derive(Debug, Clone)]
pub struct Clients {
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub s3: aws_sdk_s3::Client,
    pub kms: aws_sdk_kms::Client,
    pub lex: aws_sdk_lexmodelsv2::Client,
    /// The Lex V2 runtime (`verify` sends one conversation turn per alias).
    pub runtime: aws_sdk_lexruntimev2::Client,
    /// CloudWatch metrics (`verify` reads the conversation-log delivery failures).
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub region: String,
    /// The role these clients assumed (a config file's `assume_role`), or none for the caller's
    /// own credentials.
    pub via: Option<String>,
    /// The caller, asked of STS once per run however many targets there are.
    caller: std::sync::Arc<tokio::sync::OnceCell<Caller>>,
    /// Account-wide listings, when a command over many bots turned them on.
    pub(crate) listings: std::sync::Arc<listings::Listings>,
    /// The configuration the clients were built from (clients elsewhere derive from it).
    config: aws_config::SdkConfig,
    /// Whose calls these are, for pacing them: the account of the role assumed, or "caller".
    who: String,
}

/// Retries for a provisioning tool: more attempts than the SDK default, with exponential backoff,
/// in the mode `AWS_RETRY_MODE` names: standard unless `adaptive`. The calls are paced by
/// `pacing` already; the adaptive mode's own client-side limiter paces them a second time (on
/// the bench, under 10 calls/s per service: a 50-bot fleet apply 38 s standard, 49 s adaptive;
/// a 100-bot status 100 s and 101 s). Unless `AWS_MAX_ATTEMPTS` says otherwise (then the SDK
/// reads both).
fn retry_config() -> Option<RetryConfig> {
    if std::env::var_os("AWS_MAX_ATTEMPTS").is_some() {
        return None;
    }
    let mode = match std::env::var("AWS_RETRY_MODE").ok().as_deref() {
        None | Some("standard") => RetryConfig::standard(),
        Some("adaptive") => RetryConfig::adaptive(),
        Some(_) => return None,
    };
    Some(
        mode.with_max_attempts(8)
            .with_initial_backoff(Duration::from_millis(200))
            .with_max_backoff(Duration::from_secs(10)),
    )
}

impl Clients {
    /// Loads the shared configuration and builds every client from it.
    pub async fn load(args: &AwsArgs) -> Result<Self> {
        Self::load_for(args, std::iter::empty()).await
    }

    /// As `load`; when neither `--region` nor the environment or profile names a region, the
    /// first region the targets name is the base one (a config file whose targets all say where
    /// they live needs no other).
    pub async fn load_for<'a>(
        args: &AwsArgs,
        target_regions: impl IntoIterator<Item = &'a Location>,
    ) -> Result<Self> {
        let fallback = target_regions.into_iter().find_map(|l| l.region.clone());
        let timeouts = args.timeouts()?;
        let named_profile = match &args.profile {
            Some(name) => Some((name.clone(), ProfileSource::Flag)),
            None => std::env::var("AWS_PROFILE")
                .ok()
                .filter(|name| !name.is_empty())
                .map(|name| (name, ProfileSource::Environment)),
        };
        if let Some((name, source)) = &named_profile {
            require_profile(name, *source).await?;
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts);
        if let Some(retry) = retry_config() {
            loader = loader.retry_config(retry);
        }
        if let Some(profile) = &args.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &args.region {
            loader = loader.region(Region::new(region.clone()));
        } else if let Some(fallback) = fallback {
            let chain = aws_config::meta::region::RegionProviderChain::default_provider()
                .or_else(Region::new(fallback));
            loader = loader.region(chain);
        }
        if let Some(endpoint) = &args.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        let config = loader.load().await;
        pacing::set_rate_limit(args.rate_limit);
        if let Some(url) = config.endpoint_url() {
            let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
            if !scheme_ok || url.contains(char::is_whitespace) {
                return Err(Error::invalid(
                    format!("endpoint {url:?} (--endpoint-url or AWS_ENDPOINT_URL) is not an http:// or https:// URL"),
                    "give the emulator's URL, e.g. http://127.0.0.1:4566, or leave it unset for AWS itself",
                ));
            }
        }
        crate::error::set_call_settings(crate::error::CallSettings {
            endpoint: config.endpoint_url().map(str::to_string),
            profile: args
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok()),
            connect_timeout: Duration::from_secs(args.connect_timeout),
            attempt_timeout: Duration::from_secs(args.call_timeout),
            call_timeout: Duration::from_secs(args.call_timeout) * CALL_TIMEOUT_ATTEMPTS,
        });
        Self::from_sdk_config(&config)
    }

    /// Builds every client from one loaded configuration.
    pub fn from_sdk_config(config: &aws_config::SdkConfig) -> Result<Self> {
        Self::built(config, "caller")
    }

    /// As `from_sdk_config`, the calls paced as `who`'s (`pacing`).
    fn built(config: &aws_config::SdkConfig, who: &str) -> Result<Self> {
        use pacing::paced_client;
        tracing::debug!(region = ?config.region(), endpoint = ?config.endpoint_url(), "AWS configuration loaded");
        let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
            Error::Config(
                "no AWS region: pass --region, set AWS_REGION, or give the profile a region".into(),
            )
        })?;
        // An emulator endpoint cannot resolve bucket names as host names.
        let path_style = config.endpoint_url().is_some();
        let s3 = |b: aws_sdk_s3::config::Builder| b.force_path_style(path_style);
        let http = pacing::http_client(config);
        Ok(Clients {
            iam: paced_client!(aws_sdk_iam, config, http, who, "iam"),
            sts: paced_client!(aws_sdk_sts, config, http, who, "sts"),
            logs: paced_client!(aws_sdk_cloudwatchlogs, config, http, who, "logs"),
            s3: paced_client!(aws_sdk_s3, config, http, who, "s3", s3),
            kms: paced_client!(aws_sdk_kms, config, http, who, "kms"),
            lex: paced_client!(aws_sdk_lexmodelsv2, config, http, who, "lex"),
            runtime: paced_client!(aws_sdk_lexruntimev2, config, http, who, "lex-runtime"),
            cloudwatch: paced_client!(aws_sdk_cloudwatch, config, http, who, "cloudwatch"),
            region,
            via: None,
            caller: Default::default(),
            listings: Default::default(),
            config: config.clone(),
            who: who.to_string(),
        })
    }

    /// Clients for `location`, built from these: the same configuration in another region, or
    /// with the credentials of a role assumed from these (its account then is the role's). The
    /// role is assumed here, once, so that a refusal names the role before anything else runs.
    pub async fn at(&self, location: &Location) -> Result<Clients> {
        if location.is_default() {
            return Ok(self.clone());
        }
        let mut builder = self.config.to_builder();
        let region = location
            .region
            .clone()
            .unwrap_or_else(|| self.region.clone());
        if let Some(region) = &location.region {
            builder = builder.region(Region::new(region.clone()));
        }
        let mut assumed = None;
        if let Some(role) = &location.assume_role {
            // Assumed once here, so that a refusal is the role's, named before anything runs;
            // the provider renews the credentials for the rest of the run.
            assumed = Some(self.assume(location, role, &region).await?);
            let session = role.session_name.as_deref().unwrap_or(DEFAULT_SESSION_NAME);
            let mut provider = aws_config::sts::AssumeRoleProvider::builder(&role.role_arn)
                .session_name(session)
                .configure(&self.config);
            if let Some(id) = &role.external_id {
                provider = provider.external_id(id);
            }
            let provider = provider.build().await;
            builder = builder.credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            );
        }
        // AWS's rate limits are the account's: the role's account is in its ARN.
        let who = match &location.assume_role {
            Some(role) => role.role_arn.split(':').nth(4).unwrap_or_default(),
            None => &self.who,
        };
        let mut clients = Clients::built(&builder.build(), who)?;
        clients.via = location.assume_role.as_ref().map(|r| r.role_arn.clone());
        if let Some(caller) = assumed {
            clients.caller = std::sync::Arc::new(tokio::sync::OnceCell::new_with(Some(caller)));
        }
        Ok(clients)
    }

    /// These clients' connection in another region: the same credentials (an assumed role's
    /// too), account and role, for the region a bot is replicated to (Global Resiliency).
    pub fn in_region(&self, region: &str) -> Result<Clients> {
        let config = self
            .config
            .to_builder()
            .region(Region::new(region.to_string()))
            .build();
        let mut clients = Clients::built(&config, &self.who)?;
        clients.via = self.via.clone();
        if let Some(caller) = self.caller.get() {
            let mut caller = caller.clone();
            caller.scope.region = region.to_string();
            clients.caller = std::sync::Arc::new(tokio::sync::OnceCell::new_with(Some(caller)));
        }
        Ok(clients)
    }

    /// `sts:AssumeRole` on the location's role with these credentials: who the run is there. A
    /// refusal is named as the role's (its trust policy, the external id), not the credentials'.
    async fn assume(&self, location: &Location, role: &AssumeRole, region: &str) -> Result<Caller> {
        let session = role.session_name.as_deref().unwrap_or(DEFAULT_SESSION_NAME);
        let out = self
            .sts
            .assume_role()
            .role_arn(&role.role_arn)
            .role_session_name(session)
            .set_external_id(role.external_id.clone())
            .send()
            .await
            .context("sts:AssumeRole", location.to_string())
            .map_err(|e| assume_role_refused(role, e))?;
        let arn = out
            .assumed_role_user()
            .map(|u| u.arn().to_string())
            .unwrap_or_else(|| role.role_arn.clone());
        let account = arn.split(':').nth(4).unwrap_or_default().to_string();
        let scope = Scope::from_caller(&arn, &account, region).map_err(Error::Config)?;
        tracing::info!(caller = %arn, region = %region, "assumed");
        Ok(Caller { arn, scope })
    }

    /// Who applies what these clients change: the caller's account, the region, the role assumed.
    pub async fn provider(&self) -> Result<crate::provider::Provider> {
        Ok(crate::provider::Provider {
            account: self.caller().await?.scope.account,
            region: self.region.clone(),
            via: self.via.clone(),
        })
    }

    /// Where these clients work, for an error's message: as [`Clients::provider`], with the
    /// account only once the caller is known (no call is made for it).
    pub fn place_for_errors(&self) -> crate::provider::Provider {
        crate::provider::Provider {
            account: self
                .caller
                .get()
                .map(|c| c.scope.account.clone())
                .unwrap_or_default(),
            region: self.region.clone(),
            via: self.via.clone(),
        }
    }

    /// Who is calling: the account and partition every ARN is built from (asked once per run).
    pub async fn caller(&self) -> Result<Caller> {
        self.caller
            .get_or_try_init(|| self.ask_caller())
            .await
            .cloned()
    }

    async fn ask_caller(&self) -> Result<Caller> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .context("sts:GetCallerIdentity", "credentials")?;
        let arn = out.arn().unwrap_or_default().to_string();
        let account = out.account().unwrap_or_default().to_string();
        let scope = Scope::from_caller(&arn, &account, &self.region).map_err(Error::Config)?;
        tracing::info!(caller = %arn, region = %self.region, "calling AWS as");
        Ok(Caller { arn, scope })
    }
}

/// A refused `sts:AssumeRole` (AWS says `AccessDenied` for a missing role, a trust policy that
/// does not name the caller and a wrong or missing external id alike) named as the role's
/// refusal, with what to check there; other failures (no credentials, throttling) keep theirs.
fn assume_role_refused(role: &AssumeRole, err: Error) -> Error {
    let Error::Aws(mut aws) = err else { return err };
    if !aws.is(&["AccessDenied", "AccessDeniedException"]) {
        return Error::Aws(aws);
    }
    let external_id = match &role.external_id {
        Some(id) => format!(
            "the external_id sent ({id:?}) is the one its trust policy asks for (sts:ExternalId)"
        ),
        None => {
            "no external_id was sent: if its trust policy asks for sts:ExternalId, give external_id"
                .into()
        }
    };
    aws.hint = format!(
        "the role {} refused to be assumed; check that it exists, that its trust policy lets these credentials (or their account) sts:AssumeRole, that {external_id}, and that these credentials may sts:AssumeRole on it",
        role.role_arn
    );
    Error::Aws(aws)
}

/// The identity behind the credentials.
#[derive(Debug, Clone)]
pub struct Caller {
    pub arn: String,
    pub scope: Scope,
}

/// The clients of every location a run's targets live in, each connected once (a role assumed
/// once per location, however many targets share it).
#[derive(Debug, Clone)]
pub struct Places {
    list: Vec<(Location, Clients)>,
}

impl Places {
    /// Connects to every distinct location of `locations` at once, from the base clients.
    pub async fn connect<'a>(
        base: &Clients,
        locations: impl IntoIterator<Item = &'a Location>,
    ) -> Result<Places> {
        Places::connect_placed(base, locations, |_, err| err).await
    }

    /// As `connect`; a location that cannot be connected has its error passed through `place`
    /// (which may say where that location is written).
    pub async fn connect_placed<'a>(
        base: &Clients,
        locations: impl IntoIterator<Item = &'a Location>,
        place: impl Fn(&Location, Error) -> Error,
    ) -> Result<Places> {
        let place = &place;
        let mut distinct: Vec<&Location> = locations.into_iter().collect();
        distinct.sort();
        distinct.dedup();
        if distinct.is_empty() {
            distinct.push(&DEFAULT_LOCATION);
        }
        let list = futures::future::try_join_all(distinct.into_iter().map(|location| async move {
            match base.at(location).await {
                Ok(clients) => Ok((location.clone(), clients)),
                Err(err) => Err(place(location, err)),
            }
        }))
        .await?;
        Ok(Places { list })
    }

    /// The clients of `location` (one of those connected).
    pub fn clients(&self, location: &Location) -> &Clients {
        self.find(location).1
    }

    /// The index of `location` among those connected, and its clients. Every location a run
    /// asks for was connected first (`connect`), so a missing one is a bug.
    pub fn find(&self, location: &Location) -> (usize, &Clients) {
        let index = self
            .list
            .iter()
            .position(|(l, _)| l == location)
            .expect("every location of the run was connected");
        (index, &self.list[index].1)
    }

    /// Every location with its clients.
    pub fn all(&self) -> impl Iterator<Item = &(Location, Clients)> {
        self.list.iter()
    }
}

static DEFAULT_LOCATION: Location = Location {
    region: None,
    assume_role: None,
};

/// Rewrites a CloudWatch request the SDK built (its CBOR protocol) into CloudWatch's Query
/// protocol, with the form body `form`, at the same endpoint: LocalStack's CloudWatch answers
/// metric reads only in that protocol. The XML answer then fails the SDK's CBOR deserialiser, and
/// the caller reads the raw response of the error.
pub fn into_cloudwatch_query(
    req: &mut aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    form: &str,
) {
    let uri = req.uri().to_string();
    let base = match uri.find("/service/") {
        Some(i) => uri[..i].to_string(),
        None => uri.trim_end_matches('/').to_string(),
    };
    let _ = req.set_uri(format!("{base}/"));
    let headers = req.headers_mut();
    headers.remove("smithy-protocol");
    headers.insert("accept", "text/xml");
    headers.insert(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    headers.insert("content-length", form.len().to_string());
    *req.body_mut() = aws_smithy_types::body::SdkBody::from(form.to_string());
}
