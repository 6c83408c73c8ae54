//! The proxy's own arithmetic: the sequential round trips of a list of calls, and the rate
//! limit's buckets.

use super::*;

fn call(started_ms: u64, ended_ms: u64) -> Call {
    Call {
        service: "iam".into(),
        operation: "GetRole".into(),
        mutating: false,
        injected: "",
        started: Duration::from_millis(started_ms),
        ended: Duration::from_millis(ended_ms),
        path: String::new(),
        body: String::new(),
    }
}

#[test]
fn round_trips_count_the_longest_chain_of_calls_that_waited() {
    assert_eq!(sequential_round_trips(&[]), 0);
    // Three at once, then one after them, then two at once after that.
    let calls = [
        call(0, 80),
        call(1, 81),
        call(2, 82),
        call(90, 170),
        call(175, 255),
        call(176, 256),
    ];
    assert_eq!(sequential_round_trips(&calls), 3);
    // Overlapping calls never chain.
    assert_eq!(sequential_round_trips(&[call(0, 100), call(50, 150)]), 1);
}

#[test]
fn each_scope_has_its_own_bucket_refilled_at_the_rate() {
    let mut buckets = super::rate::Buckets::default();
    let t0 = Duration::from_secs(1);
    assert!((0..2).all(|_| buckets.take("a/us-east-1/iam", 2.0, t0)));
    assert!(!buckets.take("a/us-east-1/iam", 2.0, t0));
    assert!(buckets.take("b/us-east-1/iam", 2.0, t0));
    assert!(buckets.take("a/us-east-1/iam", 2.0, t0 + Duration::from_millis(500)));
    assert!(!buckets.take("a/us-east-1/iam", 2.0, t0 + Duration::from_millis(600)));
}
