//! The Lex V2 model-building operation a request is, from its method and path (the REST API
//! names no operation in the request).

pub(super) fn lex_operation(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let op = match (method, segments.as_slice()) {
        ("PUT", ["bots"]) => "CreateBot",
        ("POST", ["bots"]) => "ListBots",
        ("GET", ["bots", _]) => "DescribeBot",
        ("PUT", ["bots", _]) => "UpdateBot",
        ("DELETE", ["bots", _]) => "DeleteBot",
        ("PUT", ["bots", _, "botaliases"]) => "CreateBotAlias",
        ("POST", ["bots", _, "botaliases"]) => "ListBotAliases",
        ("GET", ["bots", _, "botaliases", _]) => "DescribeBotAlias",
        ("PUT", ["bots", _, "botaliases", _]) => "UpdateBotAlias",
        ("DELETE", ["bots", _, "botaliases", _]) => "DeleteBotAlias",
        ("PUT", ["bots", _, "botversions"]) => "CreateBotVersion",
        ("POST", ["bots", _, "botversions"]) => "ListBotVersions",
        ("GET", ["bots", _, "botversions", _]) => "DescribeBotVersion",
        ("DELETE", ["bots", _, "botversions", _]) => "DeleteBotVersion",
        ("PUT", ["bots", _, "botversions", _, "botlocales"]) => "CreateBotLocale",
        ("POST", ["bots", _, "botversions", _, "botlocales"]) => "ListBotLocales",
        ("GET", ["bots", _, "botversions", _, "botlocales", _]) => "DescribeBotLocale",
        ("POST", ["bots", _, "botversions", _, "botlocales", _]) => "BuildBotLocale",
        ("PUT", ["bots", _, "botversions", _, "botlocales", _, "intents"]) => "CreateIntent",
        ("POST", ["bots", _, "botversions", _, "botlocales", _, "intents"]) => "ListIntents",
        ("PUT", [.., "intents", _, "slots"]) => "CreateSlot",
        ("POST", [.., "intents", _, "slots"]) => "ListSlots",
        ("GET", [.., "intents", _, "slots", _]) => "DescribeSlot",
        ("PUT", ["bots", _, "replicas"]) => "CreateBotReplica",
        ("POST", ["bots", _, "replicas"]) => "ListBotReplicas",
        ("GET", ["bots", _, "replicas", _]) => "DescribeBotReplica",
        ("DELETE", ["bots", _, "replicas", _]) => "DeleteBotReplica",
        ("POST", ["bots", _, "replicas", _, "botaliases"]) => "ListBotAliasReplicas",
        ("POST", ["bots", _, "replicas", _, "botversions"]) => "ListBotVersionReplicas",
        ("GET", ["tags", ..]) => "ListTagsForResource",
        ("POST", ["tags", ..]) => "TagResource",
        ("DELETE", ["tags", ..]) => "UntagResource",
        _ => "Unknown",
    };
    op.to_string()
}
