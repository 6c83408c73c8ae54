//! The pacing's behaviour, on given times (the state) and on tokio's paused clock (the turns).

use super::*;

/// `n` calls admitted over the second before `at`.
fn admit(state: &mut PaceState, n: usize, at: f64) {
    for i in 0..n {
        state.admitted(at - 1.0 + (i as f64 + 0.5) / n as f64);
    }
}

/// Two throttles at `at` (a lone one does not start the pacing).
fn throttle(state: &mut PaceState, at: f64) {
    state.throttled(at - 0.01);
    state.throttled(at);
}

#[test]
fn unpaced_until_a_throttle() {
    let mut state = PaceState::new(None);
    for i in 0..100 {
        let now = i as f64 * 0.001;
        assert_eq!(state.delay(now), 0.0);
        state.sent(now);
        state.admitted(now);
    }
    assert_eq!(state.rate(), None);
}

#[test]
fn a_lone_throttle_does_not_start_the_pacing() {
    let mut state = PaceState::new(None);
    admit(&mut state, 20, 10.0);
    state.throttled(10.0);
    state.throttled(11.5);
    assert_eq!(state.rate(), None);
    state.throttled(12.0);
    assert!(state.rate().is_some());
}

#[test]
fn a_throttle_paces_at_a_share_of_what_was_admitted() {
    let mut state = PaceState::new(None);
    admit(&mut state, 20, 10.0);
    throttle(&mut state, 10.0);
    assert_eq!(state.rate(), Some(14.0));
    // Calls are then spaced by the rate.
    state.sent(10.0);
    assert!((state.delay(10.0) - 1.0 / 14.0).abs() < 1e-9);
    assert!((state.delay(10.05) - (1.0 / 14.0 - 0.05)).abs() < 1e-9);
    assert_eq!(state.delay(10.2), 0.0);
}

#[test]
fn throttles_in_a_burst_decrease_once() {
    let mut state = PaceState::new(None);
    admit(&mut state, 20, 10.0);
    state.throttled(9.99);
    for i in 0..10 {
        state.throttled(10.0 + i as f64 * 0.05);
    }
    assert_eq!(state.rate(), Some(14.0));
    // A second later, another throttle decreases again (of the pace, fewer were admitted).
    admit(&mut state, 12, 11.5);
    state.throttled(11.5);
    let rate = state.rate().unwrap();
    assert!((rate - 12.0 * DECREASE).abs() < 0.2, "{rate}");
}

#[test]
fn the_rate_never_drops_under_the_floor() {
    let mut state = PaceState::new(None);
    for i in 0..20 {
        throttle(&mut state, i as f64 * 2.0);
    }
    assert_eq!(state.rate(), Some(MIN_RATE));
}

#[test]
fn admitted_calls_raise_the_rate_by_about_one_a_second() {
    let mut state = PaceState::new(None);
    admit(&mut state, 10, 10.0);
    throttle(&mut state, 10.0);
    assert_eq!(state.rate(), Some(7.0));
    // Ten seconds of calls at the pace, all admitted.
    let mut now = 10.0;
    while now < 20.0 {
        now += state.delay(now).max(1e-6);
        state.sent(now);
        state.admitted(now);
    }
    let rate = state.rate().unwrap();
    assert!((16.0..18.5).contains(&rate), "{rate}");
}

#[test]
fn the_cap_bounds_the_rate_from_the_start_and_after_throttles() {
    let mut state = PaceState::new(Some(5.0));
    assert_eq!(state.rate(), Some(5.0));
    state.sent(0.0);
    assert!((state.delay(0.0) - 0.2).abs() < 1e-9);
    for i in 0..1000 {
        state.admitted(i as f64 * 0.2);
    }
    assert_eq!(state.rate(), Some(5.0));
    admit(&mut state, 50, 300.0);
    state.throttled(300.0);
    assert_eq!(state.rate(), Some(3.5));
}

#[tokio::test(start_paused = true)]
async fn turns_are_spaced_by_the_rate_and_follow_a_decrease() {
    let pacer = Arc::new(Pacer::new(None));
    // Unpaced: every turn at once.
    let start = tokio::time::Instant::now();
    for _ in 0..5 {
        pacer.turn().await;
        pacer.admitted();
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    pacer.throttled();
    pacer.throttled();
    // Five admitted in the last second: paced at 3.5 a second.
    assert_eq!(pacer.rate(), Some(3.5));
    // Four waiting callers go one per 1/3.5 s, in order.
    let order = Arc::new(Mutex::new(Vec::new()));
    let waiting: Vec<_> = (0..4)
        .map(|i| {
            let (pacer, order) = (pacer.clone(), order.clone());
            tokio::spawn(async move {
                pacer.turn().await;
                order.lock().unwrap().push((i, start.elapsed()));
            })
        })
        .collect();
    for task in waiting {
        task.await.unwrap();
    }
    let order = order.lock().unwrap().clone();
    let gaps: Vec<Duration> = order.windows(2).map(|w| w[1].1 - w[0].1).collect();
    assert_eq!(
        order.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    let spacing = Duration::from_secs_f64(1.0 / 3.5);
    assert!(order[0].1 >= spacing, "{order:?}");
    assert!(gaps.iter().all(|g| *g >= spacing), "{gaps:?}");
}

#[test]
fn a_quota_refusal_and_a_server_error_say_nothing_about_the_rate() {
    use super::{answer_kind, Answer};
    let throttle = br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let quota = br#"{"__type":"LimitExceededException","message":"Resource limit exceeded."}"#;
    let iam_throttle = b"<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>";
    assert_eq!(answer_kind(true, 400, throttle), Answer::Throttled);
    assert_eq!(answer_kind(true, 429, throttle), Answer::Throttled);
    assert_eq!(answer_kind(true, 400, iam_throttle), Answer::Throttled);
    // S3's SlowDown is a throttle answered with a 503.
    assert_eq!(
        answer_kind(true, 503, b"<Code>SlowDown</Code>"),
        Answer::Throttled
    );
    assert_eq!(answer_kind(true, 400, quota), Answer::Neither);
    assert_eq!(answer_kind(false, 500, b"{}"), Answer::Neither);
    assert_eq!(answer_kind(false, 503, b""), Answer::Neither);
    assert_eq!(answer_kind(false, 200, b"{}"), Answer::Admitted);
    assert_eq!(answer_kind(false, 404, b"NoSuchEntity"), Answer::Admitted);
}
