//! The shared timer's rules, pure: what the host's commands do, and how phases
//! follow one another as time passes. The store applies the result over the row
//! it was computed from (see `store::rooms`), so these rules never see a race.

use chrono::{DateTime, Utc};
use serde::Serialize;

platform::text_enum! {
    /// Where a room's timer is: not started, in a focus phase, or in a break.
    pub enum Phase { Idle = "idle", Focus = "focus", Break = "break" }
}

platform::text_enum! {
    /// The host's timer commands.
    pub enum Command { Start = "start", Pause = "pause", Reset = "reset" }
}

/// At most this many phases are completed in one step: a server that was down
/// for days catches up over several steps instead of one long transaction.
pub const MAX_CATCH_UP: usize = 1_000;

/// A room's timer as stored. Running: `ends_ms` is set; paused: `remaining_ms`;
/// idle: neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    pub phase: Phase,
    pub ends_ms: Option<i64>,
    pub remaining_ms: Option<i64>,
    /// When the current phase first began (a resume does not move it).
    pub phase_started_ms: Option<i64>,
    /// The current phase's length in timer minutes, fixed when it began.
    pub phase_minutes: Option<i32>,
    /// Phases begun so far: each phase has its own number.
    pub phase_seq: i64,
}

/// The lengths a room's phases have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lengths {
    pub focus_minutes: i32,
    pub break_minutes: i32,
    /// Real milliseconds per timer minute (60,000; less in tests and demos).
    pub minute_ms: i64,
}

impl Lengths {
    fn of(&self, phase: Phase) -> i32 {
        match phase {
            Phase::Focus => self.focus_minutes,
            Phase::Break => self.break_minutes,
            Phase::Idle => 0,
        }
    }
}

/// A phase that ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completed {
    pub phase: Phase,
    pub seq: i64,
    pub started_ms: i64,
    pub ended_ms: i64,
    pub minutes: i32,
}

/// Why a command cannot apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimerError {
    #[error("the timer is not running")]
    NotStarted,
}

/// The timer as clients see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimerView {
    pub phase: Phase,
    pub is_running: bool,
    /// When the phase ends; null when idle or paused.
    pub ends_at: Option<DateTime<Utc>>,
    /// Real seconds left in the phase (rounded up); 0 when idle.
    pub remaining_seconds: i64,
}

impl Timer {
    pub const IDLE: Timer = Timer {
        phase: Phase::Idle,
        ends_ms: None,
        remaining_ms: None,
        phase_started_ms: None,
        phase_minutes: None,
        phase_seq: 0,
    };

    pub fn is_running(&self) -> bool {
        self.ends_ms.is_some()
    }

    fn begin(&self, phase: Phase, at_ms: i64, lengths: &Lengths) -> Timer {
        let minutes = lengths.of(phase);
        Timer {
            phase,
            ends_ms: Some(at_ms + i64::from(minutes) * lengths.minute_ms),
            remaining_ms: None,
            phase_started_ms: Some(at_ms),
            phase_minutes: Some(minutes),
            phase_seq: self.phase_seq + 1,
        }
    }

    /// The timer after `command` at `now_ms`; `None` when it changes nothing
    /// (start while running, pause while paused, reset while idle), so that two
    /// hosts' tabs pressing the same button at once both succeed.
    pub fn apply(
        &self,
        command: Command,
        now_ms: i64,
        lengths: &Lengths,
    ) -> Result<Option<Timer>, TimerError> {
        match command {
            Command::Start => Ok(match (self.phase, self.ends_ms, self.remaining_ms) {
                (Phase::Idle, _, _) => Some(self.begin(Phase::Focus, now_ms, lengths)),
                (_, Some(_), _) => None,
                (_, None, remaining) => Some(Timer {
                    ends_ms: Some(now_ms + remaining.unwrap_or(0).max(0)),
                    remaining_ms: None,
                    ..*self
                }),
            }),
            Command::Pause => match (self.phase, self.ends_ms) {
                (Phase::Idle, _) => Err(TimerError::NotStarted),
                (_, None) => Ok(None),
                (_, Some(ends)) => Ok(Some(Timer {
                    ends_ms: None,
                    remaining_ms: Some((ends - now_ms).max(0)),
                    ..*self
                })),
            },
            Command::Reset => Ok((self.phase != Phase::Idle).then_some(Timer {
                phase_seq: self.phase_seq,
                ..Timer::IDLE
            })),
        }
    }

    /// The timer at `now_ms`, with every phase that ended by then completed: focus
    /// and break alternate, each beginning exactly when the one before ended, so a
    /// late step (a restart, a busy server) keeps the schedule.
    pub fn advance(&self, now_ms: i64, lengths: &Lengths) -> (Timer, Vec<Completed>) {
        let mut timer = *self;
        let mut completed = Vec::new();
        while let Some(ends) = timer.ends_ms
            && ends <= now_ms
            && completed.len() < MAX_CATCH_UP
        {
            completed.push(Completed {
                phase: timer.phase,
                seq: timer.phase_seq,
                started_ms: timer.phase_started_ms.unwrap_or(ends),
                ended_ms: ends,
                minutes: timer.phase_minutes.unwrap_or(0),
            });
            let next = match timer.phase {
                Phase::Focus => Phase::Break,
                Phase::Break | Phase::Idle => Phase::Focus,
            };
            timer = timer.begin(next, ends, lengths);
        }
        (timer, completed)
    }

    pub fn view(&self, now_ms: i64) -> TimerView {
        let left_ms = match (self.ends_ms, self.remaining_ms) {
            (Some(ends), _) => (ends - now_ms).max(0),
            (None, Some(remaining)) => remaining,
            (None, None) => 0,
        };
        TimerView {
            phase: self.phase,
            is_running: self.is_running(),
            ends_at: self.ends_ms.and_then(DateTime::from_timestamp_millis),
            remaining_seconds: (left_ms + 999) / 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Lengths = Lengths {
        focus_minutes: 25,
        break_minutes: 5,
        minute_ms: 60_000,
    };
    const MIN: i64 = 60_000;

    fn running(phase: Phase, ends: i64, started: i64, seq: i64) -> Timer {
        Timer {
            phase,
            ends_ms: Some(ends),
            remaining_ms: None,
            phase_started_ms: Some(started),
            phase_minutes: Some(L.of(phase)),
            phase_seq: seq,
        }
    }

    fn paused(phase: Phase, remaining: i64, started: i64, seq: i64) -> Timer {
        Timer {
            ends_ms: None,
            remaining_ms: Some(remaining),
            ..running(phase, 0, started, seq)
        }
    }

    /// Every command in every state: the resulting timer, or "no change", or the
    /// error.
    #[test]
    fn every_command_in_every_state() {
        let now = 1_000 * MIN;
        let idle = Timer {
            phase_seq: 4,
            ..Timer::IDLE
        };
        let focus = running(Phase::Focus, now + 10 * MIN, now - 15 * MIN, 5);
        let focus_paused = paused(Phase::Focus, 10 * MIN, now - 15 * MIN, 5);
        let brk = running(Phase::Break, now + 2 * MIN, now - 3 * MIN, 6);
        let brk_paused = paused(Phase::Break, 2 * MIN, now - 3 * MIN, 6);
        type Expect = Result<Option<Timer>, TimerError>;
        let reset_of = |seq| {
            Ok(Some(Timer {
                phase_seq: seq,
                ..Timer::IDLE
            }))
        };
        let table: Vec<(Timer, Command, Expect)> = vec![
            (
                idle,
                Command::Start,
                Ok(Some(running(Phase::Focus, now + 25 * MIN, now, 5))),
            ),
            (idle, Command::Pause, Err(TimerError::NotStarted)),
            (idle, Command::Reset, Ok(None)),
            (focus, Command::Start, Ok(None)),
            (focus, Command::Pause, Ok(Some(focus_paused))),
            (focus, Command::Reset, reset_of(5)),
            (focus_paused, Command::Start, Ok(Some(focus))),
            (focus_paused, Command::Pause, Ok(None)),
            (focus_paused, Command::Reset, reset_of(5)),
            (brk, Command::Start, Ok(None)),
            (brk, Command::Pause, Ok(Some(brk_paused))),
            (brk, Command::Reset, reset_of(6)),
            (brk_paused, Command::Start, Ok(Some(brk))),
            (brk_paused, Command::Pause, Ok(None)),
            (brk_paused, Command::Reset, reset_of(6)),
        ];
        assert_eq!(table.len(), 5 * Command::ALL.len());
        for (timer, command, expected) in table {
            assert_eq!(
                timer.apply(command, now, &L),
                expected,
                "{command:?} on {timer:?}"
            );
        }
    }

    #[test]
    fn a_phase_is_not_over_before_its_end() {
        let t = running(Phase::Focus, 100 * MIN, 75 * MIN, 1);
        assert_eq!(t.advance(100 * MIN - 1, &L), (t, vec![]));
        assert_eq!(Timer::IDLE.advance(i64::MAX, &L), (Timer::IDLE, vec![]));
        let p = paused(Phase::Focus, MIN, 0, 1);
        assert_eq!(p.advance(i64::MAX, &L), (p, vec![]));
    }

    #[test]
    fn focus_and_break_alternate_on_schedule_when_late() {
        let t = running(Phase::Focus, 100 * MIN, 75 * MIN, 1);
        // 31 minutes late: the break (100..105) and the next focus (105..130) ended.
        let (after, done) = t.advance(131 * MIN, &L);
        assert_eq!(
            done,
            vec![
                Completed {
                    phase: Phase::Focus,
                    seq: 1,
                    started_ms: 75 * MIN,
                    ended_ms: 100 * MIN,
                    minutes: 25
                },
                Completed {
                    phase: Phase::Break,
                    seq: 2,
                    started_ms: 100 * MIN,
                    ended_ms: 105 * MIN,
                    minutes: 5
                },
                Completed {
                    phase: Phase::Focus,
                    seq: 3,
                    started_ms: 105 * MIN,
                    ended_ms: 130 * MIN,
                    minutes: 25
                },
            ]
        );
        assert_eq!(after, running(Phase::Break, 135 * MIN, 130 * MIN, 4));
    }

    #[test]
    fn a_long_absence_catches_up_in_bounded_steps() {
        let t = running(Phase::Focus, MIN, 0, 1);
        let (after, done) = t.advance(1_000_000 * MIN, &L);
        assert_eq!(done.len(), MAX_CATCH_UP);
        assert!(after.ends_ms.is_some_and(|e| e <= 1_000_000 * MIN));
        let (_, more) = after.advance(1_000_000 * MIN, &L);
        assert!(!more.is_empty(), "the next step goes on");
    }

    #[test]
    fn a_resumed_phase_keeps_its_start() {
        let t = running(Phase::Focus, 25 * MIN, 0, 1);
        let p = t.apply(Command::Pause, 10 * MIN, &L).unwrap().unwrap();
        let r = p.apply(Command::Start, 50 * MIN, &L).unwrap().unwrap();
        assert_eq!(r.ends_ms, Some(65 * MIN));
        assert_eq!(r.phase_started_ms, Some(0));
        assert_eq!(r.phase_seq, 1);
    }

    #[test]
    fn the_view_counts_real_seconds_up() {
        let t = running(Phase::Focus, 10_001, 0, 1);
        let v = t.view(0);
        assert_eq!((v.remaining_seconds, v.is_running), (11, true));
        assert_eq!(t.view(20_000).remaining_seconds, 0);
        let p = paused(Phase::Break, 1_500, 0, 2).view(0);
        assert_eq!(
            (p.remaining_seconds, p.is_running, p.ends_at),
            (2, false, None)
        );
        assert_eq!(Timer::IDLE.view(0).remaining_seconds, 0);
    }
}
