//! How a target's values are named in error messages: as the flags that gave them
//! (`--log-group "x"`), or as the keys of a config file with the file and the line
//! (`FILE line N: log_group = "x"`); and errors only AWS reveals later, placed in the file
//! (`FILE line N, [[target]] I (bot "B"): ...`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;

/// How a target's values are named in errors: as the flags that gave them, or as the keys of a
/// config file, with the file and the line.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Names {
    /// The file, the line of each key given, and the line of the `[[target]]` table itself.
    file: Option<(String, BTreeMap<String, usize>, usize)>,
    /// Which `[[target]]` of the file this is, from 1.
    index: usize,
    /// The text values each key of the file gives (an array's items), to find the key an error
    /// quotes.
    values: BTreeMap<String, Vec<String>>,
}

impl Names {
    /// The keys of the `index`th (from 1) `[[target]]` of `path`, at the lines where they are
    /// given.
    pub(crate) fn file(
        path: &Path,
        index: usize,
        lines: BTreeMap<String, usize>,
        table_line: usize,
    ) -> Names {
        Names {
            file: Some((path.display().to_string(), lines, table_line)),
            index,
            values: BTreeMap::new(),
        }
    }

    /// The same, knowing the text values each key gives.
    pub(crate) fn with_values(self, values: BTreeMap<String, Vec<String>>) -> Names {
        Names { values, ..self }
    }

    /// An error found after the offline checks (AWS said it: a missing bucket, bot or alias, a
    /// refused role), placed where the target is written: `FILE line N, [[target]] I (bot "B"): `
    /// before it, the line being that of the key the error names (`key`, else the first flag
    /// of a given key the message mentions, written as the key), else that of the table. Errors
    /// of targets given by flags are returned as they are.
    pub(crate) fn place(&self, bot: &str, key: Option<&str>, err: Error) -> Error {
        let Some((path, lines, table)) = &self.file else {
            return err;
        };
        // The key whose flag the message names first; else the key whose value it quotes first.
        let mentioned = |text: &str| {
            let flagged = lines
                .keys()
                .filter_map(|k| flag_position(text, &flag_of(k)).map(|at| (at, k)))
                .min();
            let quoted = || {
                self.values
                    .iter()
                    .flat_map(|(k, vs)| vs.iter().map(move |v| (k, v)))
                    .filter_map(|(k, v)| text.find(&format!("{v:?}")).map(|at| (at, k)))
                    .min()
            };
            flagged.or_else(quoted).map(|(_, k)| k.as_str())
        };
        let key = key.or_else(|| match &err {
            Error::Invalid { message, .. } => mentioned(message),
            _ => None,
        });
        let line = key.and_then(|k| lines.get(k)).unwrap_or(table);
        let at = format!(
            "{path} line {line}, [[target]] {} (bot {bot:?})",
            self.index
        );
        let as_keys = |text: &str| {
            lines.keys().fold(text.to_string(), |text, k| {
                replace_flag(&text, &flag_of(k), k)
            })
        };
        match err {
            Error::Invalid { message, hint } => Error::Invalid {
                message: format!("{at}: {}", as_keys(&message)),
                hint: as_keys(&hint),
            },
            Error::Aws(mut aws) => {
                aws.resource = format!("{} ({at})", aws.resource);
                Error::Aws(aws)
            }
            Error::Config(m) => Error::Config(format!("{at}: {m}")),
            Error::Timeout(m) => Error::Timeout(format!("{at}: {m}")),
            other => other,
        }
    }

    /// `--log-group`, or `log_group` in a file.
    pub(super) fn key(&self, key: &str) -> String {
        match &self.file {
            None => format!("--{}", key.replace('_', "-")),
            Some(_) => key.to_string(),
        }
    }

    /// Nothing for flags; `FILE line N: ` in a file (the key's line, else the table's).
    pub(super) fn at(&self, key: &str) -> String {
        match &self.file {
            None => String::new(),
            Some((path, lines, table)) => {
                format!("{path} line {}: ", lines.get(key).unwrap_or(table))
            }
        }
    }

    /// A value as given: `--log-group "x"`, or `FILE line N: log_group = "x"`.
    pub(super) fn given(&self, key: &str, value: &str) -> String {
        match &self.file {
            None => format!("{} {value}", self.key(key)),
            Some(_) => format!("{}{key} = {value}", self.at(key)),
        }
    }
}

/// A location that could not be connected (its role refused), named at the first target written
/// there (`targets`: each target's location, names and bot): at the line of its `external_id`
/// when the role refused one, else of its `assume_role`.
pub(crate) fn place_location_error<'a>(
    mut targets: impl Iterator<Item = (&'a super::Location, &'a Names, &'a str)>,
    at: &super::Location,
    err: Error,
) -> Error {
    let Some((_, names, bot)) = targets.find(|(location, _, _)| *location == at) else {
        return err;
    };
    let refused_id = err.has_code(&["AccessDenied", "AccessDeniedException"])
        && at
            .assume_role
            .as_ref()
            .is_some_and(|r| r.external_id.is_some());
    let key = if refused_id {
        "external_id"
    } else {
        "assume_role"
    };
    names.place(bot, Some(key), err)
}

/// The flag a config key stands for (`aliases` is `--alias`).
fn flag_of(key: &str) -> String {
    match key {
        "aliases" => "--alias".into(),
        _ => format!("--{}", key.replace('_', "-")),
    }
}

/// Where `flag` stands in `text` as a whole flag (not the start of a longer one).
fn flag_position(text: &str, flag: &str) -> Option<usize> {
    text.match_indices(flag)
        .find(|(at, _)| !is_flag_char(text[at + flag.len()..].chars().next()))
        .map(|(at, _)| at)
}

fn is_flag_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `text` with every whole `flag` written as `key`.
fn replace_flag(text: &str, flag: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = flag_position(rest, flag) {
        out.push_str(&rest[..at]);
        out.push_str(key);
        rest = &rest[at + flag.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_file() -> Names {
        let lines = [
            ("bot", 2),
            ("aliases", 3),
            ("audio_bucket", 5),
            ("kms_key", 6),
        ];
        Names::file(
            Path::new("lex.toml"),
            2,
            lines.iter().map(|(k, l)| (k.to_string(), *l)).collect(),
            1,
        )
    }

    #[test]
    fn an_error_aws_reveals_is_placed_at_the_key_it_names() {
        let err = Error::invalid(
            "--audio-bucket \"b\" does not exist (or is in another account)",
            "create the bucket first, or pass an existing one with --audio-bucket",
        );
        let placed = in_file().place("OrderBot", None, err).to_string();
        assert_eq!(
            placed,
            "lex.toml line 5, [[target]] 2 (bot \"OrderBot\"): audio_bucket \"b\" does not exist (or is in another account)\n  next: create the bucket first, or pass an existing one with audio_bucket"
        );
        // --alias is the aliases key; --audio-bucket-x would not be --audio-bucket.
        let err = Error::invalid("alias \"beta\" (--alias) does not exist", "check --alias");
        let placed = in_file().place("B", None, err).to_string();
        assert!(
            placed
                .starts_with("lex.toml line 3, [[target]] 2 (bot \"B\"): alias \"beta\" (aliases)"),
            "{placed}"
        );
        assert_eq!(
            replace_flag("--kms-keys --kms-key", "--kms-key", "kms_key"),
            "--kms-keys kms_key"
        );
    }

    #[test]
    fn an_error_quoting_a_value_is_placed_at_its_key() {
        let values = [("bot", vec!["B"]), ("aliases", vec!["live", "beta"])]
            .into_iter()
            .map(|(k, vs)| (k.to_string(), vs.into_iter().map(String::from).collect()))
            .collect();
        let names = in_file().with_values(values);
        let err = Error::invalid("alias \"beta\" not found on bot B", "check it");
        let placed = names.place("B", None, err).to_string();
        assert!(placed.starts_with("lex.toml line 3, "), "{placed}");
        let err = Error::invalid("bot \"B\" not found in us-east-1", "check it");
        let placed = names.place("B", None, err).to_string();
        assert!(placed.starts_with("lex.toml line 2, "), "{placed}");
    }

    #[test]
    fn an_error_naming_no_key_is_placed_at_the_table_and_flags_are_left_alone() {
        let err = Error::invalid("the bot is child-directed", "see the docs");
        let placed = in_file().place("B", None, err).to_string();
        assert!(
            placed.starts_with("lex.toml line 1, [[target]] 2 (bot \"B\"): the bot"),
            "{placed}"
        );
        let err = Error::Config("no such role".into());
        let placed = in_file().place("B", Some("kms_key"), err).to_string();
        assert_eq!(
            placed,
            "lex.toml line 6, [[target]] 2 (bot \"B\"): no such role"
        );
        let err = Error::invalid("--audio-bucket \"b\" does not exist", "x");
        let flags = Names::default().place("B", None, err).to_string();
        assert!(
            flags.starts_with("--audio-bucket \"b\" does not exist"),
            "{flags}"
        );
    }
}
