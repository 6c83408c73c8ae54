//! The read-only calls the tool makes, which every operator policy allows (IAM cannot scope most
//! of them below `*`; none of them changes anything).

/// Read-only calls the tool makes (many cannot be scoped below `*` by IAM).
pub const OPERATOR_READ_ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "lex:ListBots",
    "lex:DescribeBot",
    "lex:ListBotAliases",
    "lex:DescribeBotAlias",
    "lex:DescribeBotVersion",
    "lex:ListBotVersions",
    "lex:ListBotLocales",
    // --publish-version: each locale's intent and slot-type counts, for the plan.
    "lex:DescribeBotLocale",
    // status --check-slots: the slots of a version and their obfuscation (LEXLOG009).
    "lex:ListIntents",
    "lex:ListSlots",
    "lex:DescribeSlot",
    "lex:ListTagsForResource",
    // the regions a bot is replicated to (Global Resiliency), in the bot's region.
    "lex:ListBotReplicas",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:ListEntitiesForPolicy",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    // in place: the account's AttachedPoliciesPerRoleQuota, when a role is near IAM's default.
    "iam:GetAccountSummary",
    // destroy: our inline policies wherever they are (a deleted version's role, a deleted bot's
    // principals), in one listing of the account's principals.
    "iam:GetAccountAuthorizationDetails",
    // status: which of our policies and roles exist, one listing per account for a fleet.
    "iam:ListPolicies",
    "iam:ListRoles",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "s3:ListBucket",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketLocation",
    // the bucket policy's Deny statements, judged for Lex's audio write (plan, verify, status).
    "s3:GetBucketPolicy",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    // verify: reads the log and the delivery-failure metric back.
    "logs:FilterLogEvents",
    "cloudwatch:GetMetricStatistics",
    // --alarm, destroy and status: our alarm of each alias, by name, and its tags.
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListTagsForResource",
    // --insights-queries and destroy: our saved queries of the log group, by name prefix.
    "logs:DescribeQueryDefinitions",
];
