//! A named profile (`--profile`, `AWS_PROFILE`) checked against the shared config and credentials
//! files before the configuration is loaded from it: the SDK would otherwise take credentials from
//! the environment without a word, or blame the credentials for a profile that is not there.

use aws_types::os_shim_internal::{Env, Fs};

use crate::error::{Error, Result};

/// Where the profile's name came from, as the error names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProfileSource {
    Flag,
    Environment,
}

impl std::fmt::Display for ProfileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProfileSource::Flag => "--profile",
            ProfileSource::Environment => "AWS_PROFILE",
        })
    }
}

/// Refuses a profile that neither shared file defines. The default profile may be absent (the
/// SDK and the AWS CLI then use the other sources of the chain).
pub(super) async fn require_profile(name: &str, source: ProfileSource) -> Result<()> {
    require_profile_in(&Fs::real(), &Env::real(), name, source).await
}

async fn require_profile_in(fs: &Fs, env: &Env, name: &str, source: ProfileSource) -> Result<()> {
    if name == "default" {
        return Ok(());
    }
    let config = file_path(env, "AWS_CONFIG_FILE", "~/.aws/config");
    let credentials = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
    let set = aws_config::profile::load(fs, env, &Default::default(), None)
        .await
        .map_err(|e| {
            Error::invalid(
                format!("{source} {name:?}: the shared config files ({config}, {credentials}) could not be read: {e}"),
                "fix the file the message names, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at another",
            )
        })?;
    if set.get_profile(name).is_some() {
        return Ok(());
    }
    let mut known: Vec<&str> = set.profiles().collect();
    known.sort_unstable();
    let defined = match known.as_slice() {
        [] => "they define no profile".to_string(),
        names => format!("they define {}", names.join(", ")),
    };
    let config_text = read(fs, env, &config).await;
    let mistaken = config_text
        .lines()
        .any(|line| line.trim() == format!("[{name}]"));
    let hint = if mistaken {
        format!("{config} has a section [{name}]; in the config file a profile's section is [profile {name}] (only the credentials file uses [{name}]): rename it")
    } else {
        format!("give one of the profiles they define, or add [profile {name}] to {config} (or [{name}] to {credentials}); `aws configure --profile {name}` writes both")
    };
    Err(Error::invalid(
        format!("{source} {name:?} names a profile that does not exist: neither {config} nor {credentials} defines it ({defined})"),
        hint,
    ))
}

/// The file an environment variable names, else its default path, as a person would write it.
fn file_path(env: &Env, variable: &str, default: &str) -> String {
    env.get(variable).unwrap_or_else(|_| default.to_string())
}

/// The text of a shared file (empty when it cannot be read), `~/` expanded as the SDK does.
async fn read(fs: &Fs, env: &Env, path: &str) -> String {
    let expanded = match (path.strip_prefix("~/"), env.get("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    };
    let bytes = fs.read_to_end(&expanded).await.unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(config: &str, credentials: &str) -> (Fs, Env) {
        let fs = Fs::from_slice(&[
            ("/h/.aws/config", config),
            ("/h/.aws/credentials", credentials),
        ]);
        let env = Env::from_slice(&[("HOME", "/h")]);
        (fs, env)
    }

    async fn refusal(fs: &Fs, env: &Env, name: &str, source: ProfileSource) -> Option<String> {
        require_profile_in(fs, env, name, source)
            .await
            .err()
            .map(|e| e.to_string())
    }

    #[tokio::test]
    async fn a_profile_of_either_file_is_accepted() {
        let (fs, env) = world(
            "[profile ops]\nregion = eu-west-1\n",
            "[ci]\naws_access_key_id = A\naws_secret_access_key = B\n",
        );
        for name in ["ops", "ci", "default"] {
            assert_eq!(refusal(&fs, &env, name, ProfileSource::Flag).await, None);
        }
    }

    #[tokio::test]
    async fn a_missing_profile_is_named_with_the_files_and_the_profiles_they_define() {
        let (fs, env) = world("[profile ops]\nregion = eu-west-1\n", "[ci]\n");
        let err = refusal(&fs, &env, "prod", ProfileSource::Flag)
            .await
            .unwrap();
        assert!(
            err.contains("--profile \"prod\" names a profile that does not exist")
                && err.contains("neither ~/.aws/config nor ~/.aws/credentials defines it")
                && err.contains("they define ci, ops")
                && err.contains("add [profile prod] to ~/.aws/config"),
            "{err}"
        );
        let err = refusal(&fs, &env, "prod", ProfileSource::Environment)
            .await
            .unwrap();
        assert!(err.starts_with("AWS_PROFILE \"prod\""), "{err}");
    }

    #[tokio::test]
    async fn a_config_section_without_the_profile_word_is_pointed_out() {
        let (fs, env) = world("[prod]\nregion = eu-west-1\n", "");
        let err = refusal(&fs, &env, "prod", ProfileSource::Flag)
            .await
            .unwrap();
        assert!(
            err.contains("they define no profile")
                && err.contains("~/.aws/config has a section [prod]")
                && err.contains("[profile prod]"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn files_named_by_the_environment_are_the_ones_read_and_named() {
        let fs = Fs::from_slice(&[("/etc/aws.conf", "[profile ops]\n")]);
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", "/etc/aws.conf"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nowhere"),
        ]);
        assert_eq!(refusal(&fs, &env, "ops", ProfileSource::Flag).await, None);
        let err = refusal(&fs, &env, "dev", ProfileSource::Flag)
            .await
            .unwrap();
        assert!(
            err.contains("neither /etc/aws.conf nor /nowhere defines it (they define ops)"),
            "{err}"
        );
    }
}
