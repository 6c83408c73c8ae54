//! Human progress on stderr (stdout carries only the plan or the JSON result).

use std::time::Instant;

/// Where progress lines go; quiet runs print nothing.
#[derive(Debug, Clone)]
pub struct Progress {
    quiet: bool,
    started: Instant,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Progress {
            quiet,
            started: Instant::now(),
        }
    }

    pub fn line(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!(
                "[{:>5.1}s] {}",
                self.started.elapsed().as_secs_f32(),
                message.as_ref()
            );
        }
    }
}
