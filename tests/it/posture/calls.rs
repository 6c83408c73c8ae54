//! What the slot finding costs, counted through the proxy: a plain `status` reads no intent and
//! no intent nor slot; `--check-slots` reads each version the logging aliases run once, however many run it
//! (ListBotLocales, ListIntents per locale, ListSlots per intent but FallbackIntent, DescribeSlot
//! per slot), and no version that no logging alias runs.

use std::collections::BTreeMap;

use crate::proxy::{Fault, FaultProxy};
use crate::support::{expect_exit, fresh_account, json_of, tool_command_as, World};

use super::fleet::{alias_on, apply, publish_with_slots};

/// Runs `status` for the bot as `account` through a proxy: the findings' ids and the count of
/// each Lex model read that the slot finding makes, by operation and version.
async fn status_counting(account: &str, args: &[&str]) -> (Vec<String>, BTreeMap<String, usize>) {
    let proxy = FaultProxy::start(Fault::None).await;
    let out = tool_command_as(account, &proxy.endpoint, args)
        .output()
        .await
        .expect("the binary runs");
    expect_exit(&out, 0);
    let ids = json_of(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["alias"].as_str().unwrap(),
                f["id"].as_str().unwrap()
            )
        })
        .collect();
    let mut counts = BTreeMap::new();
    for call in proxy.calls() {
        if ["ListBotLocales", "ListIntents", "ListSlots", "DescribeSlot"]
            .contains(&call.operation.as_str())
        {
            // /bots/ID/botversions/VERSION/...
            let version = call.path.split('/').nth(4).unwrap_or("?").to_string();
            *counts
                .entry(format!("{} {version}", call.operation))
                .or_insert(0) += 1;
        }
    }
    (ids, counts)
}

#[tokio::test]
async fn slots_are_read_only_when_asked_and_each_version_once() {
    let account = fresh_account('6');
    let world = World::new_in(&account).await;
    let version = publish_with_slots(&world).await;
    assert_eq!(version, "2");
    alias_on(&world, "a", &version, None).await;
    alias_on(&world, "b", &version, None).await;
    let bot = world.bot_name.as_str();
    // a and b log (version 2, with the slots); live (version 1) and TestBotAlias (DRAFT, which
    // has the slots too) do not, so their versions are not read.
    apply(
        &account,
        &[
            "--bot",
            bot,
            "--alias",
            "a",
            "--alias",
            "b",
            "--retention-days",
            "30",
        ],
    )
    .await;
    let plain = ["status", "--bot", bot, "--output", "json"];
    let (ids, mut counts) = status_counting(&account, &plain).await;
    // Status lists the locales of the aliases' versions for its own checks.
    let locales_before = counts.remove("ListBotLocales 2").unwrap_or(0);
    assert!(
        counts.is_empty(),
        "a plain status reads no intent nor slot: {counts:?}"
    );
    assert!(!ids.iter().any(|i| i.ends_with("LEXLOG009")), "{ids:?}");

    let (ids, counts) = status_counting(&account, &[&plain[..], &["--check-slots"]].concat()).await;
    let expected: BTreeMap<String, usize> = [
        ("ListBotLocales 2", locales_before + 1),
        ("ListIntents 2", 1),  // en_US, the one locale published
        ("ListSlots 2", 1),    // Order; FallbackIntent has no slots
        ("DescribeSlot 2", 2), // CardNumber and Name
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert_eq!(counts, expected, "version 2 read once for a and b");
    let slot_findings: Vec<&String> = ids.iter().filter(|i| i.ends_with("LEXLOG009")).collect();
    assert_eq!(slot_findings, ["a/LEXLOG009", "b/LEXLOG009"]);
}
