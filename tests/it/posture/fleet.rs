//! The fleet of the posture tests, in one account: five bots whose aliases each carry one kind
//! of finding (or none), set up by the tool where it can and by hand (the SDK) where a finding
//! needs what the tool refuses to do.

use aws_sdk_lexmodelsv2::types::{
    BotAliasLocaleSettings, CloudWatchLogGroupLogDestination, ConversationLogSettings, DataPrivacy,
    ObfuscationSetting, ObfuscationSettingType, SlotConstraint, SlotValueElicitationSetting,
    TextLogDestination, TextLogSetting,
};

use crate::support::{expect_exit, publish_version, run_tool_as, unique, World};

/// The fleet, and which alias should carry which finding.
pub struct Fleet {
    pub account: String,
    /// live: no finding; quiet: LEXLOG001; audio: LEXLOG002; theirs: LEXLOG006; sel:
    /// LEXLOG007; slots (version 2, one masked and one unmasked slot): LEXLOG009.
    pub main: World,
    /// live is child-directed, with logs: LEXLOG008.
    pub child: World,
    /// live logs to a group kept for ever: LEXLOG004.
    pub forever: World,
    /// live logs to a group without a customer managed key: LEXLOG003.
    pub plain: World,
    /// live logs to a group kept 3653 days: LEXLOG005 under bounds of 7..=400 (set up in the
    /// dedicated mode, `--role-name`; the others in place).
    pub long: World,
}

/// A key policy that lets the account use the key and CloudWatch Logs encrypt any group of the
/// account with it (the CloudWatch Logs guide's statement, on every group).
fn logs_key_policy(world: &World, account: &str) -> String {
    let region = &world.clients.region;
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": format!("logs.{region}.amazonaws.com")},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
             "Resource": "*",
             "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                 format!("arn:aws:logs:{region}:{account}:log-group:*")}}}
        ]
    })
    .to_string()
}

/// Lets CloudWatch Logs use the world's key, then encrypts `group` with it.
async fn encrypt(world: &World, account: &str, group: &str) {
    world
        .clients
        .kms
        .put_key_policy()
        .key_id(&world.key_arn)
        .policy_name("default")
        .policy(logs_key_policy(world, account))
        .send()
        .await
        .expect("PutKeyPolicy");
    world
        .clients
        .logs
        .associate_kms_key()
        .log_group_name(group)
        .kms_key_id(&world.key_arn)
        .send()
        .await
        .expect("AssociateKmsKey");
}

pub async fn apply(account: &str, args: &[&str]) {
    let mut all = vec!["apply", "--yes"];
    all.extend_from_slice(args);
    expect_exit(&run_tool_as(account, &all).await, 0);
}

/// Text log settings to `group` of the world's account and region.
fn text_to(world: &World, account: &str, group: &str) -> ConversationLogSettings {
    let arn = format!(
        "arn:aws:logs:{}:{account}:log-group:{group}",
        world.clients.region
    );
    let destination = CloudWatchLogGroupLogDestination::builder()
        .cloud_watch_log_group_arn(arn)
        .log_prefix("other/")
        .build()
        .unwrap();
    ConversationLogSettings::builder()
        .text_log_settings(
            TextLogSetting::builder()
                .enabled(true)
                .destination(
                    TextLogDestination::builder()
                        .cloud_watch(destination)
                        .build(),
                )
                .build(),
        )
        .build()
}

/// Adds alias `name` on `version` (en_US), with `settings` if any; returns its id.
pub async fn alias_on(
    world: &World,
    name: &str,
    version: &str,
    settings: Option<ConversationLogSettings>,
) -> String {
    let out = world
        .clients
        .lex
        .create_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_name(name)
        .bot_version(version)
        .bot_alias_locale_settings(
            "en_US",
            BotAliasLocaleSettings::builder().enabled(true).build(),
        )
        .set_conversation_log_settings(settings)
        .send()
        .await
        .expect("CreateBotAlias");
    out.bot_alias_id().unwrap().to_string()
}

/// Intent Order with slots CardNumber (masked) and Name (not) on DRAFT, published: the version.
pub async fn publish_with_slots(world: &World) -> String {
    let lex = &world.clients.lex;
    let intent = lex
        .create_intent()
        .bot_id(&world.bot_id)
        .bot_version("DRAFT")
        .locale_id("en_US")
        .intent_name("Order")
        .send()
        .await
        .expect("CreateIntent");
    for (slot, obfuscation) in [
        ("CardNumber", ObfuscationSettingType::DefaultObfuscation),
        ("Name", ObfuscationSettingType::None),
    ] {
        lex.create_slot()
            .bot_id(&world.bot_id)
            .bot_version("DRAFT")
            .locale_id("en_US")
            .intent_id(intent.intent_id().unwrap())
            .slot_name(slot)
            .slot_type_id("AMAZON.AlphaNumeric")
            .value_elicitation_setting(
                SlotValueElicitationSetting::builder()
                    .slot_constraint(SlotConstraint::Required)
                    .build()
                    .unwrap(),
            )
            .obfuscation_setting(
                ObfuscationSetting::builder()
                    .obfuscation_setting_type(obfuscation)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("CreateSlot");
    }
    publish_version(lex, &world.bot_id, &[]).await
}

/// Marks the world's bot child-directed (after its logs were set up: apply refuses such bots).
async fn make_child_directed(world: &World) {
    let lex = &world.clients.lex;
    let bot = lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    lex.update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .role_arn(bot.role_arn().unwrap())
        .data_privacy(DataPrivacy::builder().child_directed(true).build())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap_or(300))
        .send()
        .await
        .expect("UpdateBot");
}

/// Sets the fleet up.
pub async fn build() -> Fleet {
    let account = crate::support::fresh_account('6');
    let (main, child, forever, plain, long) = tokio::join!(
        World::new_in(&account),
        World::new_in(&account),
        World::new_in(&account),
        World::new_in(&account),
        World::new_in(&account)
    );
    let acc = account.as_str();
    // The main bot: its aliases log to its group (30 days, the bot's key), but for quiet (none)
    // and theirs (another team's group, which its role may not write).
    let slots_version = publish_with_slots(&main).await;
    alias_on(&main, "quiet", "1", None).await;
    alias_on(&main, "sel", "1", None).await;
    alias_on(&main, "audio", "1", None).await;
    alias_on(&main, "slots", &slots_version, None).await;
    let (bot, days) = (main.bot_name.as_str(), "30");
    apply(
        acc,
        &[
            "--bot",
            bot,
            "--alias",
            "live",
            "--alias",
            "slots",
            "--retention-days",
            days,
        ],
    )
    .await;
    apply(
        acc,
        &[
            "--bot",
            bot,
            "--alias",
            "sel",
            "--retention-days",
            days,
            "--selective-logging",
            "text",
        ],
    )
    .await;
    let bucket = main.bucket.as_str();
    apply(
        acc,
        &[
            "--bot",
            bot,
            "--alias",
            "audio",
            "--retention-days",
            days,
            "--audio-bucket",
            bucket,
        ],
    )
    .await;
    encrypt(&main, acc, &main.log_group()).await;
    let other = format!("/teams/{}", unique("other-"));
    let logs = &main.clients.logs;
    logs.create_log_group()
        .log_group_name(&other)
        .send()
        .await
        .unwrap();
    logs.put_retention_policy()
        .log_group_name(&other)
        .retention_in_days(30)
        .send()
        .await
        .unwrap();
    encrypt(&main, acc, &other).await;
    alias_on(&main, "theirs", "1", Some(text_to(&main, acc, &other))).await;

    apply(
        acc,
        &[
            "--bot",
            &child.bot_name,
            "--alias",
            "live",
            "--retention-days",
            days,
        ],
    )
    .await;
    encrypt(&child, acc, &child.log_group()).await;
    make_child_directed(&child).await;
    apply(acc, &["--bot", &forever.bot_name, "--alias", "live"]).await;
    encrypt(&forever, acc, &forever.log_group()).await;
    apply(
        acc,
        &[
            "--bot",
            &plain.bot_name,
            "--alias",
            "live",
            "--retention-days",
            days,
        ],
    )
    .await;
    // In dedicated mode: its own role, and live moved to a version published on it.
    let mut dedicated = long.dedicated_args();
    dedicated.extend(["--retention-days".into(), "3653".into()]);
    let dedicated: Vec<&str> = dedicated.iter().map(String::as_str).collect();
    apply(acc, &dedicated).await;
    encrypt(&long, acc, &long.log_group()).await;
    Fleet {
        account,
        main,
        child,
        forever,
        plain,
        long,
    }
}
