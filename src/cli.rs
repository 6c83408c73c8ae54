//! Command-line definitions (clap derive), and the raw flags (or the `--config` file they name)
//! turned into the list of targets to act on.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::aws::AwsArgs;
use crate::error::{Error, Result};
use crate::spec::{check_distinct_bots, Names, TargetConfig, TargetSpec, RETENTION_DAYS};

/// The package version and the commit it was built from (set by build.rs; `unknown` outside a
/// git checkout).
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("LEX_LOGS_SETUP_COMMIT"),
    ")"
);

const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   failure (an AWS error, a refusal without --yes, an interrupt); nothing was changed,
      or every change was rolled back
  2   plan --detailed-exitcode: success, with changes pending
      (status --detailed-exitcode: an alias differs from what the targets ask)
  3   failure, and the rollback failed too: what is left is listed
  4   verify (or apply --verify): some conversation log was not delivered
  5   status --fail-on SEVERITY: a finding of that severity or higher
  64  bad command line or input values; nothing was changed";

/// Set up Amazon Lex V2 conversation logs end to end: plan, apply, destroy.
#[derive(Debug, Parser)]
#[command(name = "lex-logs-setup", version = VERSION, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Output format on stdout
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, global = true)]
    pub output: OutputFormat,
    /// More logging on stderr (-v, -vv); RUST_LOG overrides
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// No progress on stderr (errors are still printed)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what apply would change; changes nothing
    Plan(PlanArgs),
    /// Make it so: create or update what is missing or different, then turn the logs on; or,
    /// given a plan file (`plan --out FILE`), make exactly the changes it lists
    Apply(ApplyArgs),
    /// Undo what apply did; the log group and bucket (and the logs in them) are kept
    Destroy(ChangeArgs),
    /// Print the policy documents apply would create, and the least-privilege policy an operator
    /// needs to run apply and destroy; changes nothing (without a target: no AWS call at all)
    Policy(PolicyArgs),
    /// Prove that conversation logs arrive: a static check of each alias's role, trust,
    /// permissions and destinations, then one conversation turn per alias and its log read back
    /// (one real Lex request per alias and kind of log; --static-only sends none)
    Verify(VerifyArgs),
    /// Read-only inventory: for every alias of the bots asked for (or of every bot with
    /// --all-bots), the version, the role that writes its logs, where text and audio go, whether
    /// those are ours, whether the role can write there, and what apply would change
    Status(StatusArgs),
    /// Print a plan saved with `plan --out FILE`, as text or JSON; changes nothing, calls no AWS
    Show(ShowArgs),
    /// Print the manual page (roff): lex-logs-setup manual > lex-logs-setup.1
    Manual,
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    #[command(flatten)]
    pub setup: SetupArgs,
    /// Print only the operator policy
    #[arg(long)]
    pub operator_only: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub setup: SetupArgs,
    /// Exit 0 when there is nothing to change, 2 when there are changes pending; errors exit as
    /// without it (1, or 64 for bad input)
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Show the plan for destroy instead of apply
    #[arg(long)]
    pub destroy: bool,
    /// Also write the whole plan to FILE (JSON), for `apply FILE` to make exactly those changes
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

/// `lex-logs-setup apply`: the targets' flags (or `--config`), or a saved plan.
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// A plan saved by `plan --out FILE`: apply makes exactly its changes, asks nothing, and
    /// refuses (changing nothing) if anything it was made from has moved since
    #[arg(value_name = "PLAN_FILE", conflicts_with_all = TARGET_FLAGS)]
    pub plan_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// `lex-logs-setup show FILE`.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// A plan saved by `plan --out FILE`
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: std::path::PathBuf,
}

/// Every flag that says what to set up (a saved plan already says it).
const TARGET_FLAGS: [&str; 21] = [
    "config",
    "bot",
    "aliases",
    "log_group",
    "retention_days",
    "log_prefix",
    "log_group_kms_key",
    "no_text_logs",
    "audio_bucket",
    "audio_prefix",
    "kms_key",
    "role_name",
    "grant_pass_role",
    "publish_version",
    "pin_source_arn",
    "pin_source_account",
    "take_over_destinations",
    "selective_logging",
    "alarm",
    "alarm_topic",
    "insights_queries",
];

#[derive(Debug, Clone, Args)]
pub struct ChangeArgs {
    #[command(flatten)]
    pub setup: SetupArgs,
    /// Do not ask before changing anything (required when there is no terminal to ask)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// apply only: afterwards, verify that the logs arrive (as `verify`; exit 4 if not)
    #[arg(long)]
    pub verify: bool,
    /// With --verify: seconds the verify run may take, as verify's --timeout [default: 180]
    #[arg(long, value_name = "SECONDS", requires = "verify")]
    pub timeout: Option<u64>,
}

/// What to set up: the target, the destinations, the role and who may pass it.
#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// Act on every [[target]] of this TOML file (instead of --bot and the other target flags)
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "bot", "aliases", "log_group", "retention_days", "log_prefix", "log_group_kms_key",
        "no_text_logs", "audio_bucket", "audio_prefix", "kms_key", "role_name", "grant_pass_role",
        "publish_version", "pin_source_arn", "pin_source_account", "take_over_destinations",
        "selective_logging", "alarm", "alarm_topic", "insights_queries",
    ])]
    pub config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// CloudWatch Logs group for text logs [default: /aws/lex/BOT]; created if missing
    #[arg(long, value_name = "NAME", conflicts_with = "no_text_logs")]
    pub log_group: Option<String>,
    /// Retention of a log group (days, one of CloudWatch's values)
    // Taken as text (negative numbers included) so that a bad value gets the same message as a
    // bad value of any other flag, from the spec's validation.
    #[arg(
        long,
        value_name = "DAYS",
        conflicts_with = "no_text_logs",
        allow_negative_numbers = true
    )]
    pub retention_days: Option<String>,
    /// Prefix of the text log streams, ending with '/' [default: lex/]
    #[arg(long, value_name = "PREFIX", conflicts_with = "no_text_logs")]
    pub log_prefix: Option<String>,
    /// Encrypt the log group with this symmetric KMS key (id, ARN, alias/NAME or alias ARN): a
    /// new group is created with it, a group of ours gets it associated; its key policy must let
    /// CloudWatch Logs use it for the group (the plan checks, and prints the statement to add)
    #[arg(long, value_name = "KEY", conflicts_with = "no_text_logs")]
    pub log_group_kms_key: Option<String>,
    /// No text logs (audio only; needs --audio-bucket)
    #[arg(long, requires = "audio_bucket")]
    pub no_text_logs: bool,
    /// Turn on audio logs to this existing S3 bucket
    #[arg(long, value_name = "BUCKET")]
    pub audio_bucket: Option<String>,
    /// Key prefix of the audio objects, ending with '/' [default: lex-audio/]
    #[arg(long, value_name = "PREFIX", requires = "audio_bucket")]
    pub audio_prefix: Option<String>,
    /// Symmetric KMS key for the audio (id, ARN, alias/NAME or alias ARN) [default: the bucket's SSE-KMS key, if any]
    #[arg(long, value_name = "KEY", requires = "audio_bucket")]
    pub kms_key: Option<String>,
    /// Dedicated-role mode: create this role for the logs and switch the bot to it. Without it
    /// (the default), the permissions go to the role each alias's version already runs on
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// Dedicated-role mode: publish a new version (on the new role) from the locales of the
    /// version the aliases run, and point them at it: only the role changes
    #[arg(long, requires = "role_name")]
    pub publish_version: bool,
    /// Dedicated-role mode: also pin the role's trust to this bot's ARNs (aws:SourceArn).
    /// Unverified: no Lex V2 document says which SourceArn Lex presents
    #[arg(long, requires = "role_name")]
    pub pin_source_arn: bool,
    /// Dedicated-role mode: also pin the role's trust to this account (aws:SourceAccount).
    /// Unverified: Lex V2 documents no source keys; AWS's own example has no condition
    #[arg(long, requires = "role_name")]
    pub pin_source_account: bool,
    /// Replace an alias's log destination that lex-logs-setup did not set (another team's group
    /// or bucket). Without it, apply refuses. The previous setting is recorded on the alias (its
    /// tags) and destroy puts it back exactly
    #[arg(long)]
    pub take_over_destinations: bool,
    /// Log only the turns whose session attributes ask for it, for text, audio, both or neither
    /// (Lex's selective conversation log capture); without it each alias keeps what it has
    #[arg(long, value_name = "WHICH", value_parser = ["text", "audio", "both", "off"])]
    pub selective_logging: Option<String>,
    /// Also create one CloudWatch alarm per alias that fires when the alias has traffic but no
    /// text log arrives in its log group (AWS/Lex RuntimeRequestCount, AWS/Logs IncomingLogEvents)
    #[arg(long, conflicts_with = "no_text_logs")]
    pub alarm: bool,
    /// With --alarm: the SNS topic (ARN) the alarm notifies when it fires
    #[arg(long, value_name = "ARN", requires = "alarm")]
    pub alarm_topic: Option<String>,
    /// Also save Logs Insights queries for the log group: missed utterances, sessions per alias,
    /// intents by hour, recent delivery gaps
    #[arg(long, conflicts_with = "no_text_logs")]
    pub insights_queries: bool,
    /// Let this principal pass the role to Lex: user/NAME, role/NAME, group/NAME or an ARN (repeatable)
    #[arg(long, value_name = "PRINCIPAL")]
    pub grant_pass_role: Vec<String>,
}

/// Which bot and aliases to act on.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// The bot, by name or id
    #[arg(long, value_name = "NAME_OR_ID")]
    pub bot: Option<String>,
    /// An alias of the bot, by name or id (repeat for several)
    #[arg(long = "alias", value_name = "NAME_OR_ID")]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning (status only: its findings)
    Sarif,
}

impl SetupArgs {
    /// The targets the command line asks for: every target of `--config`, or the one the flags
    /// give; each validated into a spec, with where its principals were said to live.
    pub(crate) fn targets(&self) -> Result<Vec<TargetSpec>> {
        let targets = match &self.config {
            Some(path) => crate::config::load_named_config(path)?,
            None => vec![(self.to_target()?, Names::default())],
        };
        let specs = targets
            .iter()
            .map(|(target, names)| TargetSpec::from_named_target(target, names))
            .collect::<Result<Vec<_>>>()?;
        check_distinct_bots(&specs)?;
        Ok(specs)
    }

    /// The flags as one target, in the model config files use.
    fn to_target(&self) -> Result<TargetConfig> {
        let bot = self.target.bot.clone().ok_or_else(|| {
            Error::invalid(
                "no target: give --bot and --alias, or --config FILE",
                "see lex-logs-setup --help",
            )
        })?;
        let retention_days = match &self.retention_days {
            None => None,
            Some(text) => Some(text.trim().parse::<i32>().map_err(|_| {
                Error::invalid(
                    format!("--retention-days {text:?} is not a number of days"),
                    format!("use one of {RETENTION_DAYS:?}"),
                )
            })?),
        };
        Ok(TargetConfig {
            bot,
            aliases: self.target.aliases.clone(),
            log_group: self.log_group.clone(),
            retention_days,
            log_prefix: self.log_prefix.clone(),
            log_group_kms_key: self.log_group_kms_key.clone(),
            no_text_logs: self.no_text_logs,
            audio_bucket: self.audio_bucket.clone(),
            audio_prefix: self.audio_prefix.clone(),
            kms_key: self.kms_key.clone(),
            role_name: self.role_name.clone(),
            grant_pass_role: self.grant_pass_role.clone(),
            publish_version: self.publish_version,
            pin_source_arn: self.pin_source_arn,
            pin_source_account: self.pin_source_account,
            take_over_destinations: self.take_over_destinations,
            selective_logging: self.selective_logging.clone(),
            alarm: self.alarm,
            alarm_topic: self.alarm_topic.clone(),
            insights_queries: self.insights_queries,
            ..TargetConfig::default()
        })
    }
}

/// How long to wait for a log by default, in seconds: long enough for IAM. Lex applies log
/// settings to new sessions and writes with the role's policies as IAM shows them to Lex, and
/// IAM changes (a new role, a policy written or attached by apply) take seconds to minutes to
/// reach it; verify sends a new probe every few seconds meanwhile. Three minutes covers the
/// usual propagation (about a minute) and a slow first delivery on top; 120 s left little room.
pub const DEFAULT_TIMEOUT: u64 = 180;

/// `lex-logs-setup verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Verify every [[target]] of this TOML file (its bots and aliases; other keys are ignored)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["bot", "aliases"])]
    pub config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub options: VerifyOptions,
}

/// How to verify.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyOptions {
    /// Locale of the probe turns [default: a built locale of the alias's version: the alias's first enabled one, else the version's first]
    #[arg(long, value_name = "LOCALE")]
    pub locale: Option<String>,
    /// Seconds the whole verify run may take, the wait for every log included
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT)]
    pub timeout: u64,
    /// Only the static check: send no conversation turn
    #[arg(long)]
    pub static_only: bool,
    /// When the run began (its `--timeout` counts from then); `None`: when the checks begin.
    #[arg(skip)]
    pub started: Option<std::time::Instant>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            locale: None,
            timeout: DEFAULT_TIMEOUT,
            static_only: false,
            started: None,
        }
    }
}

/// `lex-logs-setup status`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// Every bot of the region, with all their aliases (no drift: nothing is asked of them)
    #[arg(long, conflicts_with_all = ["config", "bot", "aliases"])]
    pub all_bots: bool,
    #[command(flatten)]
    pub setup: SetupArgs,
    /// Exit 2 when an alias differs from what the targets ask (0 when all are as asked)
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// The organisation's posture rules (TOML): required customer managed keys, retention
    /// bounds, whether TestBotAlias must log, findings to ignore [default: the README's]
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,
    /// Exit 5 when a finding of this severity or higher is found
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<crate::posture::Severity>,
    /// Also read every slot of the versions the aliases run, for slots logged unmasked
    /// (LEXLOG009): 1 ListBotLocales per version, 1 ListIntents per locale, 1 ListSlots per
    /// intent and 1 DescribeSlot per slot
    #[arg(long)]
    pub check_slots: bool,
}
