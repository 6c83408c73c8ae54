//! Build script: names the commit the binary was built from, for `--version`.
//!
//! Sets `LEX_LOGS_SETUP_COMMIT` to `git rev-parse --short=12 HEAD`, or to `unknown` when there
//! is no git or no checkout (a source tarball). It never fails the build. It runs again when
//! HEAD moves: when `HEAD` names another branch, or the branch's ref (loose or packed) changes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=LEX_LOGS_SETUP_COMMIT={commit}");
    for file in head_files() {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

/// The output of a git command run in the package's directory, trimmed; `None` when git is
/// missing, fails, or says nothing.
fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The files whose change moves HEAD: `HEAD` itself (in a worktree, its own), the ref it names
/// and the packed refs (both in the common git directory). Only files that exist: cargo reruns
/// a build script on every build while a watched file is missing.
fn head_files() -> Vec<PathBuf> {
    let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) else {
        return Vec::new();
    };
    let git_dir = PathBuf::from(git_dir);
    let common = git(&["rev-parse", "--git-common-dir"])
        .map(|dir| absolute(&dir))
        .unwrap_or_else(|| git_dir.clone());
    let mut files = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        files.push(common.join(branch));
    }
    files.retain(|f| f.is_file());
    files
}

/// `dir` as git printed it (absolute, or relative to the package's directory).
fn absolute(dir: &str) -> PathBuf {
    let path = Path::new(dir);
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(root) if path.is_relative() => PathBuf::from(root).join(path),
        _ => path.to_path_buf(),
    }
}
