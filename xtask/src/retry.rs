//! Retries for installs: registries have bad minutes (a mirror mid-sync, a dropped
//! connection, a lock held by an unattended upgrade), and one of them must not fail a
//! whole CI run. Each install is tried at most [`Policy::tries`] times, waiting longer
//! between tries, and every try is bounded in time by the runner it calls.

use anyhow::{anyhow, Result};
use std::time::Duration;

/// What one try of an install came to.
#[derive(Debug)]
pub enum Attempt<T> {
    Done(T),
    /// Worth another try (network, lock, time limit); the words say what happened.
    Transient(String),
    /// Another try would fail the same way (a package that does not exist).
    Permanent(anyhow::Error),
}

/// How often to try and how long to wait between tries.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub tries: u32,
    /// The wait after the first failure; each later wait is three times the one before.
    pub first_wait: Duration,
}

/// Three tries, waiting 5 s then 15 s: a mirror sync or a lock rarely outlasts that, and
/// a registry that is down for longer should fail the run with its reason.
pub const INSTALL: Policy = Policy {
    tries: 3,
    first_wait: Duration::from_secs(5),
};

/// Runs `attempt` (given the try number, from 1) until it is done, permanent, or out of
/// tries; `sleep` waits between tries (tests pass one that records the waits).
pub fn retry<T>(
    what: &str,
    policy: Policy,
    mut sleep: impl FnMut(Duration),
    mut attempt: impl FnMut(u32) -> Attempt<T>,
) -> Result<T> {
    let mut wait = policy.first_wait;
    let mut last = String::new();
    for n in 1..=policy.tries {
        match attempt(n) {
            Attempt::Done(v) => return Ok(v),
            Attempt::Permanent(e) => return Err(e),
            Attempt::Transient(why) => {
                last = why;
                if n < policy.tries {
                    eprintln!(
                        "xtask: {what}: try {n} of {} failed ({last}); again in {} s",
                        policy.tries,
                        wait.as_secs()
                    );
                    sleep(wait);
                    wait *= 3;
                }
            }
        }
    }
    Err(anyhow!(
        "{what}: failed {} times; the last try: {last}",
        policy.tries
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waits_and_result(outcomes: Vec<Attempt<u32>>) -> (Vec<u64>, Result<u32>) {
        let mut outcomes = outcomes.into_iter();
        let mut waits = Vec::new();
        let r = retry(
            "installing x",
            INSTALL,
            |d| waits.push(d.as_secs()),
            |_| outcomes.next().expect("no more tries than outcomes"),
        );
        (waits, r)
    }

    #[test]
    fn transient_failures_are_tried_again_with_growing_waits() {
        let (waits, r) = waits_and_result(vec![
            Attempt::Transient("lock".into()),
            Attempt::Transient("mirror".into()),
            Attempt::Done(7),
        ]);
        assert_eq!(waits, [5, 15]);
        assert_eq!(r.expect("third try succeeds"), 7);
    }

    #[test]
    fn three_transient_failures_give_the_last_reason() {
        let (waits, r) = waits_and_result(vec![
            Attempt::Transient("a".into()),
            Attempt::Transient("b".into()),
            Attempt::Transient("connection reset".into()),
        ]);
        assert_eq!(waits, [5, 15]);
        let e = r.expect_err("out of tries").to_string();
        assert_eq!(
            e,
            "installing x: failed 3 times; the last try: connection reset"
        );
    }

    #[test]
    fn a_permanent_failure_is_not_tried_again() {
        let (waits, r) = waits_and_result(vec![Attempt::Permanent(anyhow!("no such package"))]);
        assert!(waits.is_empty());
        assert_eq!(r.expect_err("permanent").to_string(), "no such package");
    }
}
