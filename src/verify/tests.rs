//! Unit tests of `verify` as a whole: the operator policy allows every call it makes.

use crate::iam_eval::{identity_allows, Context, NamedPolicy, Request};

/// Every call verify makes, on the resource it makes it on.
const CALLS: &[(&str, &str)] = &[
    ("sts:GetCallerIdentity", "*"),
    ("lex:ListBots", "*"),
    (
        "lex:DescribeBot",
        "arn:aws:lex:us-east-1:123456789012:bot/BOTID",
    ),
    (
        "lex:ListBotAliases",
        "arn:aws:lex:us-east-1:123456789012:bot/BOTID",
    ),
    (
        "lex:DescribeBotAlias",
        "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID/ALIAS",
    ),
    (
        "lex:DescribeBotVersion",
        "arn:aws:lex:us-east-1:123456789012:bot/BOTID",
    ),
    (
        "lex:RecognizeText",
        "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID/ALIAS",
    ),
    (
        "lex:RecognizeUtterance",
        "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID/ALIAS",
    ),
    ("iam:GetRole", "arn:aws:iam::123456789012:role/R"),
    (
        "iam:ListAttachedRolePolicies",
        "arn:aws:iam::123456789012:role/R",
    ),
    ("iam:ListRolePolicies", "arn:aws:iam::123456789012:role/R"),
    ("iam:GetRolePolicy", "arn:aws:iam::123456789012:role/R"),
    (
        "iam:GetPolicy",
        "arn:aws:iam::aws:policy/AmazonLexV2BotPolicy",
    ),
    (
        "iam:GetPolicyVersion",
        "arn:aws:iam::aws:policy/AmazonLexV2BotPolicy",
    ),
    ("logs:DescribeLogGroups", "*"),
    (
        "logs:ListTagsForResource",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/B",
    ),
    (
        "logs:FilterLogEvents",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/B",
    ),
    ("s3:ListBucket", "arn:aws:s3:::calls"),
    (
        "kms:DescribeKey",
        "arn:aws:kms:us-east-1:123456789012:key/k",
    ),
    (
        "kms:GetKeyPolicy",
        "arn:aws:kms:us-east-1:123456789012:key/k",
    ),
    ("cloudwatch:GetMetricStatistics", "*"),
];

#[test]
fn the_operator_policy_allows_every_call_verify_makes() {
    let scoped = crate::documents::OperatorScope {
        scope: Some(crate::arn::Scope {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
        }),
        bot_ids: vec!["BOTID".into()],
        ..Default::default()
    };
    for scope in [scoped, Default::default()] {
        let operator = [NamedPolicy::new(
            "operator",
            crate::documents::operator(&scope),
        )];
        let context = Context::new();
        for (action, resource) in CALLS {
            let refused = identity_allows(
                &operator,
                None,
                &Request {
                    action,
                    resource,
                    context: &context,
                },
            );
            assert_eq!(refused, None, "{action} on {resource}");
        }
    }
    // And it is scoped: another bot's alias may not be talked to.
    let operator = crate::documents::operator(&crate::documents::OperatorScope {
        scope: None,
        bot_ids: vec!["BOTID".into()],
        ..Default::default()
    });
    let context = Context::new();
    assert!(identity_allows(
        &[NamedPolicy::new("operator", operator)],
        None,
        &Request {
            action: "lex:RecognizeText",
            resource: "arn:aws:lex:us-east-1:123456789012:bot-alias/OTHER/ALIAS",
            context: &context,
        },
    )
    .is_some());
}
