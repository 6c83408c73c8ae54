//! A config file's apply, then its status and verify, under an account's API rate limit (the proxy
//! admits a few calls a second per service, as AWS's quotas do, and throttles the rest): the tool
//! paces itself and succeeds, every alias logging (its log line read back) and every bot's row
//! read, with its default retry settings (the standard mode; without the pacing, this apply
//! failed at once there: the SDK's retry quota ran dry; and a call waiting its turn for over 5 s
//! failed as a stalled upload).

use crate::proxy::{Fault, FaultProxy};
use crate::support::{expect_exit, fresh_account, json_of, stderr, tool_command_as, unique, World};

use super::alias_logs;

/// Runs the tool as `account` with `args` through a proxy admitting 4 calls a second per service,
/// with the tool's default retry settings: what it printed, and how many calls were throttled.
async fn limited(account: &str, args: &[&str]) -> (std::process::Output, usize) {
    let proxy = FaultProxy::start(Fault::RateLimit(4.0)).await;
    let out = tool_command_as(account, &proxy.endpoint, args)
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_RETRY_MODE")
        .output()
        .await
        .unwrap();
    (out, proxy.throttled())
}

#[tokio::test]
async fn a_config_apply_under_a_low_rate_limit_paces_itself_and_succeeds() {
    let account = fresh_account('6');
    let worlds = futures::future::join_all((0..6).map(|_| World::new_in(&account))).await;
    let mut text = String::new();
    for w in &worlds {
        text.push_str(&format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\ngrant_pass_role = [\"user/{}\"]\n\n",
            w.bot_name, w.user
        ));
    }
    let path = std::env::temp_dir().join(format!("{}.toml", unique("rate-limited")));
    std::fs::write(&path, text).unwrap();
    let config = path.display().to_string();
    let (out, throttled) = limited(&account, &["apply", "--config", &config, "--yes", "-q"]).await;
    expect_exit(&out, 0);
    // The limit was met (the six bots' first reads alone exceed it), so the pacing was needed.
    assert!(throttled > 0, "nothing was throttled:\n{}", stderr(&out));
    for w in &worlds {
        let logs = alias_logs(w, &w.alias_id).await;
        assert_eq!(
            logs["textLogSettings"][0]["enabled"], true,
            "{}",
            w.bot_name
        );
    }

    // status reads every bot through the same limit: no row is left unread.
    let status = ["status", "--config", &config, "--output", "json"];
    let (out, _) = limited(&account, &status).await;
    expect_exit(&out, 0);
    let report = json_of(&out);
    let rows = report["aliases"].as_array().unwrap();
    assert_eq!(rows.len(), worlds.len(), "{report}");
    for row in rows {
        assert!(row["error"].is_null(), "{row}");
        assert_eq!(row["drift"], serde_json::json!([]), "{row}");
        assert_eq!(row["text"]["ours"], true, "{row}");
        assert_eq!(row["text"]["canWrite"], true, "{row}");
    }

    // The outcome, through the same limit: a conversation on each alias, its log line read back.
    let verify = ["verify", "--config", &config, "--output", "json"];
    let (out, _) = limited(&account, &verify).await;
    expect_exit(&out, 0);
    let report = json_of(&out);
    let rows = report["aliases"].as_array().unwrap();
    assert_eq!(rows.len(), worlds.len(), "{report}");
    for row in rows {
        assert_eq!(row["text"]["status"], "delivered", "{row:#}");
    }
    let _ = std::fs::remove_file(&path);
}

/// `--rate-limit 3`: no two calls to one service start closer than a third of a second apart (a
/// lower bound: a busy machine only widens the gaps), and the apply still succeeds in one attempt
/// per call with `--call-timeout 3`, although a read wave's dozen IAM calls wait up to 4 s for
/// their turns (the wait counts toward the call's 9 s, not toward an attempt's 3 s); a rate under
/// one call a second is refused before any call.
#[tokio::test]
async fn rate_limit_spaces_each_services_calls_from_the_first() {
    let world = World::new().await;
    let refused = super::tool(
        &world,
        &crate::support::endpoint(),
        "plan",
        &["--rate-limit", "0.5"],
    )
    .await;
    expect_exit(&refused, 64);
    assert!(
        stderr(&refused).contains("--rate-limit"),
        "{}",
        stderr(&refused)
    );

    let proxy = FaultProxy::start(Fault::None).await;
    // One attempt per call: a call that waited its turn longer than an attempt may last is not
    // rescued by a retry.
    let mut args: Vec<String> = vec!["apply".into(), "--yes".into(), "-q".into()];
    args.extend(world.target_args());
    args.extend(["--rate-limit", "3", "--call-timeout", "3"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::support::tool_command(&proxy.endpoint, &args)
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .await
        .unwrap();
    expect_exit(&out, 0);
    let calls = proxy.calls();
    let mut by_service: std::collections::BTreeMap<&str, Vec<std::time::Duration>> =
        Default::default();
    for c in &calls {
        by_service
            .entry(c.service.as_str())
            .or_default()
            .push(c.started);
    }
    // Arrival times at the proxy: a little network jitter may bring two closer than the 1/3 s
    // the tool spaced them by, never to 0.23 s.
    let floor = std::time::Duration::from_millis(230);
    for (service, mut times) in by_service {
        times.sort();
        for pair in times.windows(2) {
            assert!(pair[1] - pair[0] >= floor, "{service}: {times:?}");
        }
    }
    let logs = alias_logs(&world, &world.alias_id).await;
    assert_eq!(logs["textLogSettings"][0]["enabled"], true);
}
