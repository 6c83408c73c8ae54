//! The outcome users care about, on the twin: after apply, a conversation on each named alias
//! puts its log line in the group (or its audio in the bucket); the bot keeps every permission it
//! had; after destroy every alias still answers and nothing is logged to our destinations.

use serde_json::{json, Value};

use crate::support::{run_tool, runtime, unique, World};

mod alarm;
mod boundary;
mod customer_role;
mod dedicated;
mod encrypted;
mod foreign_group;
mod hedge;
mod in_place;
mod inputs;
mod ownership;
mod publish_diff;
mod queries;
mod replicas;
mod selective;
mod selective_flag;

const TEST_ALIAS: &str = "TSTALIASID";

/// One turn on the alias, with a unique session id; returns the session id and the answer's
/// interpretations (as JSON, for the sentiment check).
pub(crate) async fn say(world: &World, alias_id: &str, text: &str) -> (String, Value) {
    let session = unique("s-");
    let out = runtime()
        .await
        .recognize_text()
        .bot_id(&world.bot_id)
        .bot_alias_id(alias_id)
        .locale_id("en_US")
        .session_id(&session)
        .text(text)
        .send()
        .await
        .unwrap_or_else(|e| panic!("RecognizeText on {alias_id}: {e:?}"));
    let interpretations: Vec<Value> = out
        .interpretations()
        .iter()
        .map(|i| {
            json!({
                "intent": i.intent().map(|x| x.name()),
                "sentiment": i.sentiment_response().and_then(|s| s.sentiment()).map(|s| s.as_str()),
            })
        })
        .collect();
    (session, json!(interpretations))
}

/// One audio turn (a short PCM clip of silence) on the alias; returns the session id.
async fn say_audio(world: &World, alias_id: &str) -> String {
    let session = unique("a-");
    runtime()
        .await
        .recognize_utterance()
        .bot_id(&world.bot_id)
        .bot_alias_id(alias_id)
        .locale_id("en_US")
        .session_id(&session)
        .request_content_type("audio/l16; rate=16000; channels=1")
        .input_stream(aws_sdk_lexruntimev2::primitives::ByteStream::from(vec![
            0u8;
            3200
        ]))
        .send()
        .await
        .unwrap_or_else(|e| panic!("RecognizeUtterance on {alias_id}: {e:?}"));
    session
}

/// The log events of `group` that belong to `session` (read back through CloudWatch Logs).
pub(crate) async fn logged(world: &World, group: &str, session: &str) -> Vec<Value> {
    let out = match world
        .clients
        .logs
        .filter_log_events()
        .log_group_name(group)
        .send()
        .await
    {
        Ok(out) => out,
        Err(_) => return vec![],
    };
    out.events()
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e.message().unwrap_or_default()).ok())
        .filter(|m| m["sessionId"] == session)
        .collect()
}

/// The audio objects under `prefix` of the world's bucket whose key names `session`.
async fn audio_objects(world: &World, prefix: &str, session: &str) -> Vec<String> {
    let out = world
        .clients
        .s3
        .list_objects_v2()
        .bucket(&world.bucket)
        .prefix(prefix)
        .send()
        .await
        .expect("ListObjectsV2");
    out.contents()
        .iter()
        .filter_map(|o| o.key())
        .filter(|k| k.contains(session))
        .map(str::to_string)
        .collect()
}

async fn tool(args: Vec<String>) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool(&args).await
}

fn with(mut args: Vec<String>, more: &[&str]) -> Vec<String> {
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

/// `command`, then `args`, then `more`.
fn cmd(command: &str, args: &[String], more: &[&str]) -> Vec<String> {
    let mut all = vec![command.to_string()];
    all.extend(args.iter().cloned());
    all.extend(more.iter().map(|s| s.to_string()));
    all
}

async fn bot_role(world: &World) -> String {
    world
        .clients
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap()
        .role_arn()
        .unwrap()
        .to_string()
}
