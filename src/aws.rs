//! Loading the AWS configuration (profile, region, endpoint, retries) once, and the bundle of
//! service clients that share it and its HTTP client.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};

use crate::arn::Scope;
use crate::error::{Context, Error, Result};

/// The AWS flags every subcommand shares.
#[derive(Debug, Clone, Default, clap::Args)]
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
    /// The caller, asked of STS once per run however many targets there are.
    caller: std::sync::Arc<tokio::sync::OnceCell<Caller>>,
}

/// Retries for a provisioning tool: more attempts than the SDK default, with exponential backoff,
/// unless the standard `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE` variables say otherwise.
fn retry_config() -> Option<RetryConfig> {
    if std::env::var_os("AWS_MAX_ATTEMPTS").is_some()
        || std::env::var_os("AWS_RETRY_MODE").is_some()
    {
        return None;
    }
    Some(
        RetryConfig::standard()
            .with_max_attempts(8)
            .with_initial_backoff(Duration::from_millis(200))
            .with_max_backoff(Duration::from_secs(10)),
    )
}

impl Clients {
    /// Loads the shared configuration and builds every client from it.
    pub async fn load(args: &AwsArgs) -> Result<Self> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(retry) = retry_config() {
            loader = loader.retry_config(retry);
        }
        if let Some(profile) = &args.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &args.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &args.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        Self::from_sdk_config(&loader.load().await)
    }

    /// Builds every client from one loaded configuration.
    pub fn from_sdk_config(config: &aws_config::SdkConfig) -> Result<Self> {
        tracing::debug!(region = ?config.region(), endpoint = ?config.endpoint_url(), "AWS configuration loaded");
        let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
            Error::Config(
                "no AWS region: pass --region, set AWS_REGION, or give the profile a region".into(),
            )
        })?;
        // An emulator endpoint cannot resolve bucket names as host names.
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        Ok(Clients {
            iam: aws_sdk_iam::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            kms: aws_sdk_kms::Client::new(config),
            lex: aws_sdk_lexmodelsv2::Client::new(config),
            runtime: aws_sdk_lexruntimev2::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            region,
            caller: Default::default(),
        })
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

/// The identity behind the credentials.
#[derive(Debug, Clone)]
pub struct Caller {
    pub arn: String,
    pub scope: Scope,
}
