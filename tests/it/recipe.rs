//! The CI recipe runs: the `lex-logs-setup` lines of `examples/github-actions.yml`, in order,
//! against the emulator (plan --out on the pull request, show, apply FILE --verify on merge,
//! status --detailed-exitcode on the schedule, then the teardown's plan --destroy --out and apply
//! FILE), with the account checked after each. A recipe line that stops working fails here.

use std::path::Path;

use crate::support::{endpoint, expect_exit, run_tool_at, stdout, unique, World};

const RECIPE: &str = include_str!("../../examples/github-actions.yml");

/// The recipe's commands in order, as argument lists: each line that starts with
/// `lex-logs-setup`, cut before a shell `||` or `>`, its `$CONFIG` and `$PLAN` given, and
/// whether the shell line accepts exit 2 (`|| test $? -eq 2`).
fn recipe_commands(config: &Path, plan: &Path) -> Vec<(Vec<String>, bool)> {
    RECIPE
        .lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("lex-logs-setup "))
        .map(|line| {
            let accepts_two = line.contains("|| test $? -eq 2");
            let command = line.split("||").next().unwrap().split('>').next().unwrap();
            let args = command
                .split_whitespace()
                .map(|word| {
                    word.trim_matches('"')
                        .replace("$CONFIG", config.to_str().unwrap())
                        .replace("$PLAN", plan.to_str().unwrap())
                })
                .collect();
            (args, accepts_two)
        })
        .collect()
}

/// Whether the alias logs text now.
async fn logs_text(world: &World) -> bool {
    let (_, settings) = world.alias_now(&world.alias_id).await;
    settings["textLogSettings"][0]["enabled"] == true
}

#[tokio::test]
async fn the_ci_recipe_runs_in_order_and_each_step_leaves_the_account_as_it_says() {
    let world = World::new().await;
    let dir = std::env::temp_dir().join(unique("recipe-"));
    std::fs::create_dir_all(&dir).unwrap();
    let (config, plan) = (dir.join("lex-logs.toml"), dir.join("lex-logs.plan.json"));
    std::fs::write(
        &config,
        format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"{}\"]\nretention_days = 30\n",
            world.bot_name, world.alias_name
        ),
    )
    .unwrap();
    let commands = recipe_commands(&config, &plan);
    let verbs: Vec<&str> = commands.iter().map(|(a, _)| a[0].as_str()).collect();
    assert_eq!(
        verbs,
        ["plan", "show", "apply", "status", "plan", "apply"],
        "{commands:?}"
    );
    let mut outputs: Vec<String> = Vec::new();
    let mut account = world.snapshot().await;
    for (step, (args, accepts_two)) in commands.iter().enumerate() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_tool_at(&endpoint(), &args).await;
        if !(*accepts_two && out.status.code() == Some(2)) {
            expect_exit(&out, 0);
        }
        outputs.push(stdout(&out));
        let now = world.snapshot().await;
        // The account after each step: only the two applies change it.
        match step {
            2 => assert!(logs_text(&world).await, "apply FILE turned the logs on"),
            5 => assert!(!logs_text(&world).await, "the teardown turned the logs off"),
            _ => assert_eq!(now, account, "step {step} ({args:?}) changed the account"),
        }
        account = now;
    }
    assert!(outputs[0].contains("to create"), "{}", outputs[0]);
    assert_eq!(
        outputs[1], outputs[0],
        "show prints the plan the pull request made"
    );
    assert!(
        outputs[2].contains("Apply complete") && outputs[2].contains("delivered"),
        "{}",
        outputs[2]
    );
    assert!(outputs[3].contains(&world.alias_name), "{}", outputs[3]);
    assert!(outputs[4].contains("to delete") || outputs[4].contains("to update"));
    assert!(outputs[5].contains("Destroy complete"), "{}", outputs[5]);
    let _ = std::fs::remove_dir_all(dir);
}
