//! The status workflow (spec "Status workflow"): pure rules, no I/O.

use chrono::{DateTime, Utc};

use crate::model::Status;

/// The times an order carries after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    pub depart: Option<DateTime<Utc>>,
    pub complete: Option<DateTime<Utc>>,
}

/// Whether a non-admin may move `from` → `to` (a different status).
pub fn user_may(from: Status, to: Status) -> bool {
    use Status::*;
    matches!(
        (from, to),
        (Waiting, InProgress)
            | (Waiting, Cancel)
            | (InProgress, Complete)
            | (InProgress, Issue)
            | (InProgress, Cancel)
    )
}

/// Applies `from` → `to`; `None` when the transition is not allowed. `admin` is the
/// effective admin flag (the caller's role is ADMIN *and* it asked for admin mode).
pub fn apply(
    from: Status,
    to: Status,
    admin: bool,
    times: Times,
    now: DateTime<Utc>,
) -> Option<Times> {
    use Status::*;
    if from == to {
        return Some(times);
    }
    if !admin && !user_may(from, to) {
        return None;
    }
    Some(match to {
        Waiting => Times {
            depart: None,
            complete: None,
        },
        InProgress => Times {
            depart: times.depart.or(Some(now)),
            complete: None,
        },
        Complete | Issue => Times {
            depart: times.depart,
            complete: if admin {
                times.complete.or(Some(now))
            } else {
                Some(now)
            },
        },
        Cancel => times,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + h * 3600, 0).unwrap()
    }

    const NONE: Times = Times {
        depart: None,
        complete: None,
    };

    #[test]
    fn user_table_row_by_row() {
        let now = t(10);
        for from in Status::ALL {
            for to in Status::ALL {
                let allowed = apply(*from, *to, false, NONE, now).is_some();
                let expected = from == to || user_may(*from, *to);
                assert_eq!(allowed, expected, "{from} -> {to}");
            }
        }
        assert_eq!(
            apply(Waiting, InProgress, false, NONE, now).unwrap().depart,
            Some(now)
        );
        let started = Times {
            depart: Some(t(1)),
            complete: None,
        };
        assert_eq!(
            apply(InProgress, Complete, false, started, now).unwrap(),
            Times {
                depart: Some(t(1)),
                complete: Some(now)
            }
        );
        assert_eq!(
            apply(InProgress, Issue, false, started, now)
                .unwrap()
                .complete,
            Some(now)
        );
        assert_eq!(
            apply(InProgress, Cancel, false, started, now).unwrap(),
            started
        );
        for to in [Waiting, InProgress, Issue, Cancel] {
            assert!(apply(Complete, to, false, NONE, now).is_none());
        }
    }

    #[test]
    fn admin_may_do_anything_and_times_follow() {
        let now = t(10);
        for from in Status::ALL {
            for to in Status::ALL {
                assert!(
                    apply(*from, *to, true, NONE, now).is_some(),
                    "{from} -> {to}"
                );
            }
        }
        let done = Times {
            depart: Some(t(1)),
            complete: Some(t(2)),
        };
        assert_eq!(apply(Complete, Waiting, true, done, now).unwrap(), NONE);
        assert_eq!(
            apply(Complete, InProgress, true, done, now).unwrap(),
            Times {
                depart: Some(t(1)),
                complete: None
            }
        );
        assert_eq!(
            apply(Cancel, InProgress, true, NONE, now).unwrap(),
            Times {
                depart: Some(now),
                complete: None
            }
        );
    }

    #[test]
    fn same_status_is_a_no_op() {
        let done = Times {
            depart: Some(t(1)),
            complete: Some(t(2)),
        };
        assert_eq!(apply(Complete, Complete, false, done, t(9)).unwrap(), done);
    }
}
