//! Holding a call in the fault proxy: the test learns that the tool sent the n-th call of an
//! operation, acts on the account meanwhile (a deployment between the tool's read and its write),
//! and then lets the call through or rejects it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

/// What the test decides for a held call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Then {
    Forward,
    Reject,
}

struct Slot {
    operation: String,
    nth: usize,
    seen: usize,
    arrived: Option<oneshot::Sender<()>>,
    release: Option<oneshot::Receiver<Then>>,
}

/// The holds of one proxy.
#[derive(Default, Clone)]
pub struct Holds(Arc<Mutex<Vec<Slot>>>);

impl std::fmt::Debug for Holds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let slots = self.0.lock().unwrap();
        let held: Vec<String> = slots
            .iter()
            .map(|s| format!("{}#{}", s.operation, s.nth))
            .collect();
        write!(f, "Holds({held:?})")
    }
}

/// The test's side of one hold.
pub struct Held {
    what: String,
    arrived: Option<oneshot::Receiver<()>>,
    release: oneshot::Sender<Then>,
}

impl Holds {
    /// Holds the `nth` (1-based) call of `operation` (`service:Operation`, e.g.
    /// `lex:UpdateBotAlias`) before it is forwarded.
    pub fn hold(&self, operation: &str, nth: usize) -> Held {
        let (arrived_tx, arrived_rx) = oneshot::channel();
        let (release_tx, release_rx) = oneshot::channel();
        self.0.lock().unwrap().push(Slot {
            operation: operation.to_string(),
            nth,
            seen: 0,
            arrived: Some(arrived_tx),
            release: Some(release_rx),
        });
        Held {
            what: format!("call {nth} of {operation}"),
            arrived: Some(arrived_rx),
            release: release_tx,
        }
    }

    /// Called by the proxy for every call: waits while a hold catches it; the decision then
    /// (`decision` unless the test rejects it).
    pub async fn pass(&self, operation: &str, decision: &'static str) -> &'static str {
        let caught = {
            let mut slots = self.0.lock().unwrap();
            slots
                .iter_mut()
                .filter(|s| s.operation == operation)
                .find_map(|slot| {
                    slot.seen += 1;
                    (slot.seen == slot.nth).then(|| (slot.arrived.take(), slot.release.take()))
                })
        };
        let Some((arrived, release)) = caught else {
            return decision;
        };
        if let Some(arrived) = arrived {
            let _ = arrived.send(());
        }
        let then = match release {
            Some(release) => release.await.unwrap_or(Then::Forward),
            None => Then::Forward,
        };
        match then {
            Then::Reject => "rejected",
            Then::Forward => decision,
        }
    }
}

impl Held {
    /// Waits until the tool has sent the held call (at most two minutes).
    pub async fn arrived(&mut self) {
        let arrived = self.arrived.take().expect("arrived() is awaited once");
        tokio::time::timeout(Duration::from_secs(120), arrived)
            .await
            .unwrap_or_else(|_| panic!("the tool never sent {}", self.what))
            .expect("the proxy is running");
    }

    /// Lets the held call through, or answers it with a non-retryable error.
    pub fn then(self, then: Then) {
        let _ = self.release.send(then);
    }
}
