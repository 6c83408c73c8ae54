//! Human progress on stderr (stdout carries only the plan or the result): a spinner per running
//! step on a terminal, plain timestamped lines otherwise, nothing with `-q`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

#[derive(Debug, Clone)]
enum Mode {
    Quiet,
    Plain,
    Terminal(MultiProgress),
}

/// Where progress goes.
#[derive(Debug, Clone)]
pub struct Progress {
    mode: Mode,
    started: Instant,
}

/// One running step's line; `finish` says how it ended.
pub(crate) struct StepLine {
    bar: Option<ProgressBar>,
    started: Instant,
    label: String,
}

impl Progress {
    /// Spinners when stderr is a terminal, plain lines when it is not, nothing when quiet.
    pub(crate) fn new(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Terminal(MultiProgress::new())
        } else {
            Mode::Plain
        };
        Progress {
            mode,
            started: Instant::now(),
        }
    }

    /// A message of its own (a wait, an interrupt, a rollback).
    pub(crate) fn line(&self, message: impl AsRef<str>) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Plain => eprintln!(
                "[{:>5.1}s] {}",
                self.started.elapsed().as_secs_f32(),
                message.as_ref()
            ),
            Mode::Terminal(multi) => {
                let _ = multi.println(message.as_ref());
            }
        }
    }

    /// Announces a step; the returned line is finished when the step ends.
    pub(crate) fn start(&self, glyph: char, address: &str, what: &str) -> StepLine {
        let label = format!("{glyph} {address}");
        let bar = match &self.mode {
            Mode::Quiet => None,
            Mode::Plain => {
                self.line(format!("{label}: {what}"));
                None
            }
            Mode::Terminal(multi) => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                        .expect("the template is valid"),
                );
                bar.set_message(format!("{label}: {what}"));
                bar.enable_steady_tick(Duration::from_millis(100));
                Some(bar)
            }
        };
        StepLine {
            bar,
            started: Instant::now(),
            label,
        }
    }
}

impl StepLine {
    pub(crate) fn finish(mut self, ok: bool) {
        self.end(if ok { "done" } else { "FAILED" });
    }

    fn end(&mut self, mark: &str) {
        if let Some(bar) = self.bar.take() {
            bar.set_style(ProgressStyle::with_template("{msg}").expect("the template is valid"));
            bar.finish_with_message(format!(
                "{} {mark} ({:.1}s)",
                self.label,
                self.started.elapsed().as_secs_f32()
            ));
        }
    }
}

/// A line dropped before it finished is a step an interrupt cancelled: its spinner stops.
impl Drop for StepLine {
    fn drop(&mut self) {
        self.end("cancelled");
    }
}
