//! The escalation paths, each a question to the document about one candidate resource.

use super::candidates::{lex_only_role, Candidate, ADMINISTRATOR_ACCESS};
use super::{Doc, Finding, Holder, Path};
use crate::iam_eval::{wildcard_match, Context};
use crate::resources::tags::{MANAGED_BY, MANAGED_BY_VALUE};

/// Services that run the caller's code (or templates) with a role passed to them.
const CODE_SERVICES: &[&str] = &[
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
    "codebuild.amazonaws.com",
    "sagemaker.amazonaws.com",
    "cloudformation.amazonaws.com",
    "states.amazonaws.com",
    "batch.amazonaws.com",
];

/// The request context of the holder acting on resources that are ours (they carry our tag).
fn ours() -> Context {
    Context::new()
        .with(
            format!("iam:ResourceTag/{MANAGED_BY}").as_str(),
            MANAGED_BY_VALUE,
        )
        .with(
            format!("aws:ResourceTag/{MANAGED_BY}").as_str(),
            MANAGED_BY_VALUE,
        )
}

/// The request context of a tag write that marks a resource as ours.
fn marking_ours() -> Context {
    Context::new().with("aws:TagKeys", MANAGED_BY).with(
        format!("aws:RequestTag/{MANAGED_BY}").as_str(),
        MANAGED_BY_VALUE,
    )
}

/// What kind of resource an ARN is: `role`, `user`, `group`, `policy`, `log-group`, `lex`.
fn kind(arn: &str) -> &str {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (Some(service), Some(resource)) = (parts.get(2), parts.get(5)) else {
        return "";
    };
    match *service {
        "iam" => resource.split('/').next().unwrap_or(""),
        "logs" if resource.starts_with("log-group:") => "log-group",
        "lex" => "lex",
        _ => "",
    }
}

pub(super) fn check(doc: &Doc, holder: &Holder) -> Vec<Finding> {
    let writable = writable_policies(doc);
    let mut out = Vec::new();
    for c in &doc.candidates {
        match kind(&c.arn) {
            "role" => role_rules(doc, holder, c, &writable, &mut out),
            "user" | "group" => principal_rules(doc, c, &writable, &mut out),
            "policy" => policy_rules(doc, c, &mut out),
            _ => {}
        }
        tag_rules(doc, holder, c, &mut out);
    }
    out
}

/// Managed policies whose content the holder decides: ones it may create or give new versions,
/// and AWS's administrator policy (everything already).
fn writable_policies(doc: &Doc) -> Vec<String> {
    let mut out = vec![ADMINISTRATOR_ACCESS.to_string()];
    for c in doc.candidates.iter().filter(|c| kind(&c.arn) == "policy") {
        let writes = ["iam:CreatePolicy", "iam:CreatePolicyVersion"]
            .iter()
            .any(|a| doc.granting(a, &c.arn, &ours()).is_some());
        if writes {
            out.push(c.arn.clone());
        }
    }
    out
}

/// The statement that lets the holder give `arn` (of `kind`: Role, User, Group) any permissions:
/// an inline policy, or attaching a policy whose content it decides.
fn any_permissions<'a>(
    doc: &'a Doc,
    kind: &str,
    arn: &str,
    writable: &[String],
) -> Option<(&'a str, bool, String)> {
    if let Some((s, d)) = doc.granting(&format!("iam:Put{kind}Policy"), arn, &ours()) {
        return Some((s, d, format!("iam:Put{kind}Policy (any inline policy)")));
    }
    writable.iter().find_map(|policy| {
        let context = ours().with("iam:PolicyARN", policy.as_str());
        doc.granting(&format!("iam:Attach{kind}Policy"), arn, &context)
            .map(|(s, d)| {
                (
                    s,
                    d,
                    format!("iam:Attach{kind}Policy of {policy}, whose content the holder decides"),
                )
            })
    })
}

fn finding(
    path: Path,
    (statement, declared): (&str, bool),
    c: &Candidate,
    reason: String,
) -> Finding {
    Finding {
        path,
        statement: statement.to_string(),
        resource: c.pattern.clone(),
        reason,
        declared,
    }
}

fn role_rules(
    doc: &Doc,
    holder: &Holder,
    c: &Candidate,
    writable: &[String],
    out: &mut Vec<Finding>,
) {
    if lex_only_role(&c.pattern) {
        return;
    }
    let arn = c.arn.as_str();
    let trust = ["iam:CreateRole", "iam:UpdateAssumeRolePolicy"]
        .into_iter()
        .find(|a| doc.granting(a, arn, &ours()).is_some());
    let assumable = doc
        .granting("sts:AssumeRole", arn, &Context::new())
        .is_some()
        || (holder
            .assumable
            .iter()
            .any(|p| wildcard_match(p, arn, false))
            && !doc.denies("sts:AssumeRole", arn));
    let to_code = CODE_SERVICES.iter().find_map(|service| {
        let context = ours().with("iam:PassedToService", *service);
        doc.granting("iam:PassRole", arn, &context)
            .map(|g| (g, *service))
    });
    if let Some((statement, declared, how)) = any_permissions(doc, "Role", arn, writable) {
        let mut why = Vec::new();
        if c.wildcard {
            why.push(format!(
                "it is any role matching {}, the holder's own or ones it can assume among them",
                c.pattern
            ));
        }
        if let Some(action) = trust {
            why.push(format!("{action} lets the holder write its trust policy (name itself, or any principal, as who assumes it)"));
        }
        if assumable {
            why.push("the holder could assume it (its trust may let the holder in, and the document does not deny sts:AssumeRole on it)".into());
        }
        if let Some((_, service)) = to_code {
            why.push(format!(
                "the holder may pass it to {service}, which runs the holder's code"
            ));
        }
        let (path, reason) = match why.is_empty() {
            false => (
                Path::AnyPermissionsOnRole,
                format!("{how} on {arn}: {}", why.join("; ")),
            ),
            // Not the holder's to use, but not the holder's to give permissions to either.
            true => (
                Path::AnyPermissionsOnOthersRole,
                format!("{how} on {arn}: whoever its trust policy lets in (a shared Lambda role, another team's pipeline, another account) gets the permissions the holder chooses, though the holder cannot assume it"),
            ),
        };
        out.push(finding(path, (statement, declared), c, reason));
    }
    if let Some(g) = doc.granting("iam:UpdateAssumeRolePolicy", arn, &ours()) {
        let reason = format!("iam:UpdateAssumeRolePolicy on {arn}: the holder chooses who assumes the role and gets its permissions");
        out.push(finding(Path::TakeOverRole, g, c, reason));
    }
    if let Some((g, service)) = to_code {
        let reason = format!("iam:PassRole of {arn} to {service}: code the holder runs there gets the role's permissions");
        out.push(finding(Path::PassRoleToCode, g, c, reason));
    }
    if c.wildcard {
        let to_lex = ours().with("iam:PassedToService", "lexv2.amazonaws.com");
        if let Some(g) = doc.granting("iam:PassRole", arn, &to_lex) {
            let reason = format!("iam:PassRole of any role matching {}", c.pattern);
            out.push(finding(Path::PassAnyRole, g, c, reason));
        }
        if let Some(g) = doc.granting("sts:AssumeRole", arn, &Context::new()) {
            let reason = format!("sts:AssumeRole of any role matching {}", c.pattern);
            out.push(finding(Path::AssumeAnyRole, g, c, reason));
        }
    }
}

fn principal_rules(doc: &Doc, c: &Candidate, writable: &[String], out: &mut Vec<Finding>) {
    let arn = c.arn.as_str();
    let (kind, extra): (&str, &[&str]) = if kind(arn) == "user" {
        (
            "User",
            &[
                "iam:CreateAccessKey",
                "iam:CreateLoginProfile",
                "iam:UpdateLoginProfile",
            ],
        )
    } else {
        ("Group", &["iam:AddUserToGroup"])
    };
    if let Some((statement, declared, how)) = any_permissions(doc, kind, arn, writable) {
        let reason = format!("{how} on {arn}: if the holder is this principal, belongs to it or can act as it, that is administrator");
        out.push(finding(
            Path::AnyPermissionsOnPrincipal,
            (statement, declared),
            c,
            reason,
        ));
    }
    for action in extra {
        if let Some(g) = doc.granting(action, arn, &Context::new()) {
            let path = match *action {
                "iam:AddUserToGroup" => Path::AnyPermissionsOnPrincipal,
                _ => Path::Credentials,
            };
            let reason = format!("{action} on {arn}: the holder acts as that principal");
            out.push(finding(path, g, c, reason));
        }
    }
}

fn policy_rules(doc: &Doc, c: &Candidate, out: &mut Vec<Finding>) {
    if !c.wildcard || c.arn.contains(":iam::aws:") {
        return;
    }
    for action in ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"] {
        if let Some(g) = doc.granting(action, &c.arn, &Context::new()) {
            let reason = format!("{action} on any policy matching {} (not only ours): rewrites policies attached to anyone", c.pattern);
            out.push(finding(Path::RewriteAnyPolicy, g, c, reason));
        }
    }
}

/// Tag writes that put our tag on a resource the plan does not create.
fn tag_rules(doc: &Doc, holder: &Holder, c: &Candidate, out: &mut Vec<Finding>) {
    let actions: &[&str] = match kind(&c.arn) {
        "role" if !lex_only_role(&c.pattern) => &["iam:TagRole"],
        "policy" => &["iam:TagPolicy"],
        "log-group" => &["logs:TagResource", "logs:TagLogGroup"],
        "lex" => &["lex:TagResource"],
        _ => &[],
    };
    if !c.wildcard && holder.created.contains(&c.arn) {
        return;
    }
    for action in actions {
        if let Some(g) = doc.granting(action, &c.arn, &marking_ours()) {
            let reason = format!("{action} with {MANAGED_BY} on {}, which the plan does not create: makes it count as ours (then deleted or rewritten as ours)", c.pattern);
            out.push(finding(Path::MarkAsOurs, g, c, reason));
        }
    }
}
