//! Where interrupts come from: [`InterruptSource`] for the engine, and [`Interrupts`], the real
//! one (SIGINT and SIGTERM); [`Signal`] says which, so messages say how to interrupt again.

/// Which interrupt arrived: Ctrl-C (SIGINT) or SIGTERM (what a CI system sends on cancel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Int,
    Term,
}

impl Signal {
    /// Its name, for progress lines.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::Int => "Ctrl-C",
            Signal::Term => "SIGTERM",
        }
    }

    /// How to send another one: "press Ctrl-C again" at a terminal; "interrupt again" when the
    /// signal came from a process (a CI cancel), which may send SIGINT or SIGTERM.
    pub(crate) fn again(self) -> &'static str {
        match self {
            Signal::Int => "press Ctrl-C again",
            Signal::Term => "interrupt again",
        }
    }
}

/// Something that says "stop": Ctrl-C or SIGTERM in the binary, a channel in tests.
pub(crate) trait InterruptSource {
    /// Waits for the next interrupt; says which signal it was.
    async fn next(&mut self) -> Signal;
}

/// Interrupt requests: Ctrl-C (SIGINT) or SIGTERM. Installed once, before the first AWS call, so an
/// interrupt at any point is handled, never a kill.
pub(crate) struct Interrupts {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Interrupts {
    pub(crate) fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Interrupts {
                int: signal(SignalKind::interrupt()).expect("SIGINT handler installs"),
                term: signal(SignalKind::terminate()).expect("SIGTERM handler installs"),
            }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// Waits for the next interrupt; says which signal it was.
    pub(crate) async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => Signal::Int,
            _ = self.term.recv() => Signal::Term,
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Int
        }
    }
}

impl InterruptSource for Interrupts {
    async fn next(&mut self) -> Signal {
        Interrupts::next(self).await
    }
}
