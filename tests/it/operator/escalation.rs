//! Every operator policy the tool prints, read by the escalation check as an attacker holding it
//! would (trusted by any role, the safe assumption): no path to administrator that the document
//! does not declare, and every declared one said on screen (the `risks` the policy command
//! prints with the document).

use lex_logs_setup::escalation::{escalations, undeclared, Holder};
use serde_json::Value;

use crate::support::{expect_exit, run_tool, World, ACCOUNT, REGION};

/// The ARNs the plan for `target` creates (their tags are written at creation).
async fn created(target: &[&str]) -> Vec<String> {
    let target: Vec<&str> = target
        .iter()
        .copied()
        .filter(|a| *a != "--operator-only")
        .collect();
    if target.is_empty() {
        return vec![];
    }
    let mut args = vec!["plan", "--output", "json"];
    args.extend(target);
    let out = run_tool(&args).await;
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut arns = Vec::new();
    for change in plan["changes"].as_array().unwrap() {
        if change["action"] != "create" {
            continue;
        }
        let s = |k: &str| change[k].as_str().filter(|v| !v.is_empty());
        let account = s("account").unwrap_or(ACCOUNT);
        let region = s("region").unwrap_or(REGION);
        let address = change["address"].as_str().unwrap();
        let (kind, name) = address.trim_end_matches(']').split_once('[').unwrap();
        match kind {
            "log_group" => arns.push(format!("arn:aws:logs:{region}:{account}:log-group:{name}")),
            "role" => arns.push(format!("arn:aws:iam::{account}:role/{name}")),
            "policy" => arns.push(format!("arn:aws:iam::{account}:policy/{name}")),
            _ => {}
        }
    }
    arns
}

/// Prints the policies for `target`, checks each operator document, and returns the risks said
/// on screen (all documents).
async fn check(label: &str, target: &[&str]) -> Vec<String> {
    let mut args = vec!["policy", "--output", "json"];
    args.extend(target);
    let out = run_tool(&args).await;
    expect_exit(&out, 0);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let holder = Holder::anyone(created(target).await);
    let mut said = Vec::new();
    let operators: Vec<&Value> = printed["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "operator")
        .collect();
    assert!(!operators.is_empty(), "{label}: no operator policy printed");
    for d in operators {
        let found = escalations(&d["document"], &holder);
        let open = undeclared(&found);
        assert!(
            open.is_empty(),
            "{label}: escalation paths the policy does not declare: {open:#?}\n{:#}",
            d["document"]
        );
        let risks: Vec<String> = d["risks"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        for f in &found {
            assert!(
                !risks.is_empty() && f.declared,
                "{label}: declared risk of {} not said on screen: {risks:?}",
                f.statement
            );
        }
        said.extend(risks);
    }
    // The same risks on the text screen.
    let mut text_args = vec!["policy"];
    text_args.extend(target);
    let text = crate::support::stdout(&run_tool(&text_args).await);
    for risk in &said {
        assert!(
            text.contains(risk.as_str()),
            "{label}: {risk} not on screen:\n{text}"
        );
    }
    said
}

#[tokio::test]
async fn no_operator_policy_the_tool_prints_lets_its_holder_escalate_unsaid() {
    let (a, b) = tokio::join!(World::new(), World::new());
    let generic = check("--operator-only", &["--operator-only"]).await;
    assert!(generic.iter().any(|r| r.starts_with("not least privilege")));

    let in_place = a.target_args();
    let in_place: Vec<&str> = in_place.iter().map(String::as_str).collect();
    assert_eq!(check("in place", &in_place).await, Vec::<String>::new());
    let mut only = in_place.clone();
    only.push("--operator-only");
    assert_eq!(
        check("in place --operator-only", &only).await,
        Vec::<String>::new()
    );

    let mut audio = in_place.clone();
    audio.extend([
        "--audio-bucket",
        &a.bucket,
        "--kms-key",
        &a.key_arn,
        "--retention-days",
        "7",
    ]);
    assert_eq!(
        check("in place, audio and KMS", &audio).await,
        Vec::<String>::new()
    );

    let grant = format!("user/{}", a.user);
    let mut granting = in_place.clone();
    granting.extend(["--grant-pass-role", &grant]);
    let said = check("--grant-pass-role", &granting).await;
    assert!(
        said.iter().any(|r| r.contains("administrator-equivalent")),
        "{said:?}"
    );

    let dedicated = b.dedicated_args();
    let mut dedicated: Vec<&str> = dedicated.iter().map(String::as_str).collect();
    dedicated.extend(["--audio-bucket", &b.bucket, "--kms-key", &b.key_arn]);
    let said = check("dedicated", &dedicated).await;
    assert!(
        said.iter().any(|r| r.starts_with("dedicated mode")),
        "{said:?}"
    );

    let dir = std::env::temp_dir().join(crate::support::unique("esc"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lex-logs.toml");
    std::fs::write(
        &path,
        format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\nretention_days = 14\n\n[[target]]\nbot = \"{}\"\naliases = [\"live\"]\nrole_name = \"{}\"\npublish_version = true\n",
            a.bot_name,
            b.bot_name,
            b.role_name()
        ),
    )
    .unwrap();
    let said = check(
        "--config, two targets",
        &["--config", path.to_str().unwrap()],
    )
    .await;
    assert!(
        said.iter().any(|r| r.starts_with("dedicated mode")),
        "{said:?}"
    );
}

#[tokio::test]
async fn in_place_on_a_customer_role_the_policy_declares_the_content_of_our_policies() {
    // Another team's role, the bot moved onto it and the alias onto a version that runs on it.
    let world = World::new().await;
    let role = world.customer_role().await;
    world.move_bot_to(&role).await;
    let version = world.publish().await;
    world.deploy(&world.alias_id, Some(&version), None).await;
    let target = world.target_args();
    let target: Vec<&str> = target.iter().map(String::as_str).collect();
    let customer_risk = |said: &[String]| {
        said.iter()
            .any(|r| r.starts_with("in place on a customer role"))
    };

    // The plan creates our policy and attaches it to the role: any document on that role.
    let said = check("in place, customer role, creating", &target).await;
    assert!(customer_risk(&said), "{said:?}");

    let mut apply = vec!["apply"];
    apply.extend(&target);
    apply.push("--yes");
    expect_exit(&run_tool(&apply).await, 0);

    // Our policy exists as the plan wants it: no policy content to write, nothing to declare.
    let said = check("in place, customer role, unchanged", &target).await;
    assert_eq!(said, Vec::<String>::new());

    // Logs to another group: our policy gets a new version, whose content is any document.
    let group = format!("{}-moved", world.log_group());
    let mut moved = target.clone();
    moved.extend(["--log-group", &group]);
    let said = check("in place, customer role, updating", &moved).await;
    assert!(customer_risk(&said), "{said:?}");
}
