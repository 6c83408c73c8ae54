//! The `Condition` element: operators (String*, Arn*, Bool, Numeric*, Date*, IpAddress, Null), the
//! `IfExists` suffix and the `ForAnyValue:`/`ForAllValues:` qualifiers, against the request's
//! context.

use std::net::IpAddr;

use serde_json::Value;

use super::model::Context;
use super::pattern::{as_strings, wildcard_match};

/// The positive form of an operator on one context value and one condition value; `None` for an
/// operator this evaluator does not know.
fn compare(base: &str, ctx: &str, cond: &str) -> Option<bool> {
    Some(match base {
        "StringEquals" | "BinaryEquals" => ctx == cond,
        "StringEqualsIgnoreCase" => ctx.to_lowercase() == cond.to_lowercase(),
        "StringLike" => wildcard_match(cond, ctx, false),
        "ArnEquals" | "ArnLike" => {
            // Matched per ARN component; the last component (the resource) may hold colons.
            let c: Vec<&str> = cond.splitn(6, ':').collect();
            let v: Vec<&str> = ctx.splitn(6, ':').collect();
            if c.len() != 6 {
                wildcard_match(cond, ctx, false)
            } else if v.len() != 6 {
                false
            } else {
                c.iter().zip(&v).all(|(c, v)| wildcard_match(c, v, false))
            }
        }
        "Bool" => ctx.eq_ignore_ascii_case(cond),
        "IpAddress" => ip_in_block(ctx, cond).unwrap_or(false),
        b if b.starts_with("Numeric") => {
            let (Ok(a), Ok(c)) = (ctx.parse::<f64>(), cond.parse::<f64>()) else {
                return Some(false);
            };
            match b {
                "NumericEquals" => a == c,
                "NumericLessThan" => a < c,
                "NumericLessThanEquals" => a <= c,
                "NumericGreaterThan" => a > c,
                "NumericGreaterThanEquals" => a >= c,
                _ => return None,
            }
        }
        b if b.starts_with("Date") => {
            let (Some(a), Some(c)) = (date_key(ctx), date_key(cond)) else {
                return Some(false);
            };
            match b {
                "DateEquals" => a == c,
                "DateLessThan" => a < c,
                "DateLessThanEquals" => a <= c,
                "DateGreaterThan" => a > c,
                "DateGreaterThanEquals" => a >= c,
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// A comparable form of a date: epoch seconds as given, or a date-time of W3C's ISO 8601 profile
/// turned into epoch seconds: `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm[:ss[.fff]]` with a time zone `Z`,
/// `+hh:mm` or `-hh:mm` (none is read as UTC).
pub(super) fn date_key(text: &str) -> Option<f64> {
    if let Ok(seconds) = text.parse::<f64>() {
        return Some(seconds);
    }
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00"));
    let (time, offset) = match time.strip_suffix('Z') {
        Some(time) => (time, 0.0),
        None => match time.rfind(['+', '-']) {
            Some(at) => (&time[..at], zone_offset(&time[at..])?),
            None => (time, 0.0),
        },
    };
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<f64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3 || !(2..=3).contains(&t.len()) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m, day) = (if d[1] <= 2 { d[0] - 1 } else { d[0] }, d[1], d[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = t[0] * 3600.0 + t[1] * 60.0 + t.get(2).copied().unwrap_or(0.0);
    Some(days as f64 * 86_400.0 + seconds - offset)
}

/// The seconds a time zone `+hh:mm` or `-hh:mm` is ahead of UTC.
fn zone_offset(zone: &str) -> Option<f64> {
    let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
    let (hours, minutes) = zone[1..].split_once(':')?;
    let (hours, minutes) = (hours.parse::<f64>().ok()?, minutes.parse::<f64>().ok()?);
    Some(sign * (hours * 3600.0 + minutes * 60.0))
}

/// Is the address in the block (`10.0.0.0/24`, `2001:db8::/32`; an address alone is itself)?
/// `None` when either does not parse.
fn ip_in_block(address: &str, block: &str) -> Option<bool> {
    let address: IpAddr = address.parse().ok()?;
    let (network, bits) = match block.split_once('/') {
        Some((network, bits)) => (network.parse().ok()?, Some(bits.parse::<u32>().ok()?)),
        None => (block.parse().ok()?, None),
    };
    let (a, n, width) = match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u32::from(a) as u128, u32::from(n) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return Some(false),
    };
    let bits = bits.unwrap_or(width);
    if bits > width {
        return None;
    }
    let shift = width - bits;
    Some(shift >= 128 || a >> shift == n >> shift)
}

/// The positive operator of a negated one (`StringNotEquals` -> `StringEquals`).
fn negated(operator: &str) -> Option<&'static str> {
    Some(match operator {
        "StringNotEquals" => "StringEquals",
        "StringNotEqualsIgnoreCase" => "StringEqualsIgnoreCase",
        "StringNotLike" => "StringLike",
        "NumericNotEquals" => "NumericEquals",
        "DateNotEquals" => "DateEquals",
        "ArnNotEquals" => "ArnEquals",
        "ArnNotLike" => "ArnLike",
        "NotIpAddress" => "IpAddress",
        _ => return None,
    })
}

/// Does one operator block (`{"StringEquals": {key: values, ...}}`) hold? `None`: unknown operator.
fn block_holds(operator: &str, block: &Value, context: &Context) -> Option<bool> {
    let (qualifier, operator) = match operator.split_once(':') {
        Some((q @ ("ForAnyValue" | "ForAllValues"), op)) => (Some(q), op),
        Some(_) => return None,
        None => (None, operator),
    };
    let (operator, if_exists) = match operator.strip_suffix("IfExists") {
        Some(op) => (op, true),
        None => (operator, false),
    };
    let Some(block) = block.as_object() else {
        return Some(false);
    };
    for (key, wanted) in block {
        let wanted = as_strings(wanted);
        let present = context.get(key);
        if operator == "Null" {
            let want_absent = wanted.iter().any(|w| w.eq_ignore_ascii_case("true"));
            if want_absent != present.is_empty() {
                return Some(false);
            }
            continue;
        }
        let negation = negated(operator);
        let base = negation.unwrap_or(operator);
        // Unknown operators are unknown whether or not the key is present.
        compare(base, "", "")?;
        let single = |value: &str| -> bool {
            let hit = wanted
                .iter()
                .any(|w| compare(base, value, w).unwrap_or(false));
            hit != negation.is_some()
        };
        if present.is_empty() {
            if qualifier == Some("ForAllValues")
                || if_exists
                || (negation.is_some() && qualifier.is_none())
            {
                continue;
            }
            return Some(false);
        }
        let holds = match qualifier {
            Some("ForAllValues") => present.iter().all(|v| single(v)),
            Some(_) => present.iter().any(|v| single(v)),
            None if negation.is_some() => present.iter().all(|v| single(v)),
            None => present.iter().any(|v| single(v)),
        };
        if !holds {
            return Some(false);
        }
    }
    Some(true)
}

/// Do all of a statement's conditions hold? An unknown operator: the statement does not apply.
pub(super) fn conditions_hold(condition: Option<&Value>, context: &Context) -> bool {
    let Some(map) = condition.and_then(Value::as_object) else {
        return true;
    };
    map.iter()
        .all(|(operator, block)| block_holds(operator, block, context) == Some(true))
}
