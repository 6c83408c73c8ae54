//! How a target's values are named in error messages: as the flags that gave them
//! (`--log-group "x"`), or as the keys of a config file with the file and the line
//! (`FILE line N: log_group = "x"`).

use std::collections::BTreeMap;
use std::path::Path;

/// How a target's values are named in errors: as the flags that gave them, or as the keys of a
/// config file, with the file and the line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    /// The file, the line of each key given, and the line of the `[[target]]` table itself.
    file: Option<(String, BTreeMap<String, usize>, usize)>,
}

impl Names {
    /// The keys of one `[[target]]` of `path`, at the lines where they are given.
    pub(crate) fn file(path: &Path, lines: BTreeMap<String, usize>, table_line: usize) -> Names {
        Names {
            file: Some((path.display().to_string(), lines, table_line)),
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
