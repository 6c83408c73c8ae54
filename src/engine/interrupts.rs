//! Where interrupts come from: [`InterruptSource`] for the engine, and [`Interrupts`], the real
//! one (SIGINT and SIGTERM).

/// Something that says "stop": Ctrl-C in the binary, a channel in tests.
pub(crate) trait InterruptSource {
    /// Waits for the next interrupt.
    async fn next(&mut self);
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

    /// Waits for the next interrupt.
    pub(crate) async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

impl InterruptSource for Interrupts {
    async fn next(&mut self) {
        Interrupts::next(self).await
    }
}
