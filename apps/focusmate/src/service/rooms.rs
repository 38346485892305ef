//! Rooms: creation, membership, the host's settings and timer commands. Every
//! change locks the room's row, first brings its timer up to now (so a phase that
//! ended a moment ago is credited to those who were there), then applies itself,
//! and queues the new `room_state` for the participants.

use chrono::Utc;
use platform::ApiError;
use platform::db::Tx;
use platform::validate::FieldErrors;

use super::{Service, live, now_ms};
use crate::model::{
    Command, Completed, NotificationKind, Phase, RoomId, RoomRow, RoomView, TimerError, UserId,
};
use crate::store;
use crate::store::notifications::NewNotification;
use crate::store::rooms::{Change, NewRoom};

/// Room fields as a client sends them; for a change, absent ones stay.
#[derive(Debug, Default)]
pub struct RoomInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub focus_minutes: Option<i64>,
    pub break_minutes: Option<i64>,
    pub max_participants: Option<i64>,
    pub is_public: Option<bool>,
}

const FOCUS_RANGE: (i64, i64) = (1, 240);
const BREAK_RANGE: (i64, i64) = (1, 120);
const SIZE_RANGE: (i64, i64) = (1, 100);

fn in_range(errors: &mut FieldErrors, field: &str, value: Option<i64>, (lo, hi): (i64, i64)) {
    if value.is_some_and(|v| !(lo..=hi).contains(&v)) {
        errors.add(field, format!("must be between {lo} and {hi}"));
    }
}

/// The checked fields of `input`.
struct Checked {
    name: Option<String>,
    description: Option<Option<String>>,
    focus_minutes: Option<i32>,
    break_minutes: Option<i32>,
    max_participants: Option<i32>,
    is_public: Option<bool>,
}

fn check(input: RoomInput, creating: bool) -> Result<Checked, ApiError> {
    let mut errors = FieldErrors::new(platform::validate::messages(platform::texts::EN));
    let name = match input.name.as_deref() {
        Some(n) => Some(errors.text("name", n, 100)),
        None if creating => {
            errors.add("name", "required");
            None
        }
        None => None,
    };
    let description = input.description.map(|d| {
        errors
            .optional("description", d.as_deref(), 1000)
            .filter(|d| !d.is_empty())
    });
    in_range(
        &mut errors,
        "focus_minutes",
        input.focus_minutes,
        FOCUS_RANGE,
    );
    in_range(
        &mut errors,
        "break_minutes",
        input.break_minutes,
        BREAK_RANGE,
    );
    in_range(
        &mut errors,
        "max_participants",
        input.max_participants,
        SIZE_RANGE,
    );
    let nothing = name.is_none()
        && description.is_none()
        && input.focus_minutes.is_none()
        && input.break_minutes.is_none()
        && input.max_participants.is_none()
        && input.is_public.is_none();
    if nothing {
        errors.add("body", "nothing to change");
    }
    errors.finish()?;
    // In range above, so they fit.
    let small = |v: Option<i64>| v.map(|v| v as i32);
    Ok(Checked {
        name,
        description,
        focus_minutes: small(input.focus_minutes),
        break_minutes: small(input.break_minutes),
        max_participants: small(input.max_participants),
        is_public: input.is_public,
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("Room not found")
}

fn host_only() -> ApiError {
    ApiError::forbidden("Only the room's host can do this")
}

impl Service {
    /// A new room with its creator as host and first participant.
    pub async fn create_room(&self, host: UserId, input: RoomInput) -> Result<RoomView, ApiError> {
        let c = check(input, true)?;
        let name = c.name.expect("a missing name failed the check above");
        let mut tx = self.db.begin().await?;
        if !store::users::exists(&mut tx, host).await? {
            return Err(ApiError::unauthorized(
                platform::error::AuthFailure::Invalid,
                "",
            ));
        }
        let room = store::rooms::insert(
            &mut tx,
            &NewRoom {
                name: &name,
                description: c.description.flatten().as_deref(),
                host,
                focus_minutes: c.focus_minutes.unwrap_or(25),
                break_minutes: c.break_minutes.unwrap_or(5),
                max_participants: c.max_participants.unwrap_or(10),
                is_public: c.is_public.unwrap_or(true),
            },
            Utc::now(),
        )
        .await?;
        store::rooms::join(&mut tx, room.id, host, now_ms()).await?;
        let view = self.view_in(&mut tx, &room, now_ms()).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Public rooms, newest first.
    pub async fn public_rooms(&self, limit: i64, offset: i64) -> Result<Vec<RoomView>, ApiError> {
        let rooms = store::rooms::public(&self.db, limit, offset).await?;
        self.views(rooms).await
    }

    /// The rooms `user` is in.
    pub async fn rooms_of(&self, user: UserId) -> Result<Vec<RoomView>, ApiError> {
        let rooms = store::rooms::of_user(&self.db, user).await?;
        self.views(rooms).await
    }

    async fn views(&self, rooms: Vec<RoomRow>) -> Result<Vec<RoomView>, ApiError> {
        let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
        let participants = store::rooms::participants_of(&self.db, &ids).await?;
        let now = now_ms();
        Ok(rooms
            .iter()
            .zip(participants)
            .map(|(room, people)| RoomView::new(room, people, now))
            .collect())
    }

    /// A room, to someone who may see it: anyone when it is public, else its
    /// participants and those invited (to others it does not exist).
    pub async fn room(&self, caller: UserId, id: RoomId) -> Result<RoomView, ApiError> {
        let room = store::rooms::get(&self.db, id)
            .await?
            .ok_or_else(not_found)?;
        let mut views = self.views(vec![room.clone()]).await?;
        let view = views.pop().expect("one view per room");
        if !room.is_public
            && !view.participants.iter().any(|p| p.user_id == caller)
            && !store::rooms::invited(&self.db, id, caller).await?
        {
            return Err(not_found());
        }
        Ok(view)
    }

    /// The host changes the room's settings; new lengths apply from the next phase.
    pub async fn update_room(
        &self,
        caller: UserId,
        id: RoomId,
        input: RoomInput,
    ) -> Result<RoomView, ApiError> {
        let c = check(input, false)?;
        self.change(id, |_svc, tx, room| {
            Box::pin(async move {
                if room.host_id != caller {
                    return Err(host_only());
                }
                let present = store::rooms::participants(tx, room.id).await?.len() as i32;
                if c.max_participants.is_some_and(|m| m < present) {
                    return Err(ApiError::invalid_fields(
                        "Invalid input data",
                        vec![platform::error::FieldError {
                            field: "max_participants".into(),
                            message: format!("the room has {present} participants"),
                        }],
                    ));
                }
                let change = Change {
                    name: c.name.as_deref(),
                    description: c.description.as_ref().map(|d| d.as_deref()),
                    focus_minutes: c.focus_minutes,
                    break_minutes: c.break_minutes,
                    max_participants: c.max_participants,
                    is_public: c.is_public,
                    host: None,
                };
                *room = store::rooms::update(tx, room.id, &change).await?;
                Ok(Outcome::Changed(Vec::new()))
            })
        })
        .await
    }

    /// The host closes the room; its participants are told.
    pub async fn delete_room(&self, caller: UserId, id: RoomId) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let mut room = store::rooms::lock(&mut tx, id)
            .await?
            .ok_or_else(not_found)?;
        if room.host_id != caller {
            return Err(host_only());
        }
        self.catch_up(&mut tx, &mut room, now_ms()).await?;
        let people = store::rooms::participants(&mut tx, id).await?;
        store::rooms::delete(&mut tx, id).await?;
        let message = format!("The host closed \"{}\".", room.name);
        for p in people.iter().filter(|p| p.user_id != caller) {
            self.notify(
                &mut tx,
                p.user_id,
                NewNotification {
                    kind: NotificationKind::RoomClosed,
                    title: "Room closed",
                    message: &message,
                    room: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Joins a room (a no-op when already in it). A private room admits those
    /// invited; a full one nobody more. The host is told who joined.
    pub async fn join(&self, caller: UserId, id: RoomId) -> Result<RoomView, ApiError> {
        self.change(id, |svc, tx, room| {
            Box::pin(async move {
                let people = store::rooms::participants(tx, room.id).await?;
                if people.iter().any(|p| p.user_id == caller) {
                    return Ok(Outcome::Unchanged);
                }
                if !room.is_public && !store::rooms::is_invited(tx, room.id, caller).await? {
                    return Err(not_found());
                }
                if people.len() as i32 >= room.max_participants {
                    return Err(ApiError::bad_request("The room is full").with_code("ROOM_FULL"));
                }
                let Some(user) = store::users::by_id_in(tx, caller).await? else {
                    return Err(ApiError::unauthorized(
                        platform::error::AuthFailure::Invalid,
                        "",
                    ));
                };
                store::rooms::join(tx, room.id, caller, now_ms()).await?;
                if room.host_id != caller {
                    let message = format!("{} joined \"{}\".", user.username, room.name);
                    svc.notify(
                        tx,
                        room.host_id,
                        NewNotification {
                            kind: NotificationKind::Joined,
                            title: "Someone joined your room",
                            message: &message,
                            room: Some(room.id),
                        },
                    )
                    .await?;
                }
                Ok(Outcome::Changed(Vec::new()))
            })
        })
        .await
    }

    /// Leaves a room (a no-op when not in it). A leaving host hands the room to
    /// whoever has been in it longest; the last one out closes it (`None`).
    pub async fn leave(&self, caller: UserId, id: RoomId) -> Result<Option<RoomView>, ApiError> {
        let mut tx = self.db.begin().await?;
        let mut room = store::rooms::lock(&mut tx, id)
            .await?
            .ok_or_else(not_found)?;
        let moved = self.catch_up(&mut tx, &mut room, now_ms()).await?;
        if !store::rooms::leave(&mut tx, id, caller).await? {
            // Not in it: a no-op, but a private room stays hidden from outsiders.
            if !room.is_public {
                return Err(not_found());
            }
            let view = self.view_in(&mut tx, &room, now_ms()).await?;
            if moved {
                live::room_state(&mut tx, &self.hub, &view, &[]);
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            return Ok(Some(view));
        }
        let rest = store::rooms::participants(&mut tx, id).await?;
        let Some(heir) = rest.first() else {
            store::rooms::delete(&mut tx, id).await?;
            tx.commit().await?;
            return Ok(None);
        };
        if room.host_id == caller {
            let change = Change {
                host: Some(heir.user_id),
                ..Change::default()
            };
            room = store::rooms::update(&mut tx, id, &change).await?;
        } else {
            room.version = store::rooms::bump(&mut tx, id).await?;
        }
        let view = self.view_in(&mut tx, &room, now_ms()).await?;
        live::room_state(&mut tx, &self.hub, &view, &[caller]);
        tx.commit().await?;
        Ok(Some(view))
    }

    /// Invites `user` to a room the caller is in; `true` if the invitation is new
    /// (the invitee is notified once).
    pub async fn invite(&self, caller: UserId, id: RoomId, user: UserId) -> Result<bool, ApiError> {
        if user == caller {
            return Err(ApiError::invalid_fields(
                "Invalid input data",
                vec![platform::error::FieldError {
                    field: "user_id".into(),
                    message: "you cannot invite yourself".into(),
                }],
            ));
        }
        let mut tx = self.db.begin().await?;
        let room = store::rooms::lock(&mut tx, id)
            .await?
            .ok_or_else(not_found)?;
        let people = store::rooms::participants(&mut tx, id).await?;
        let Some(inviter) = people.iter().find(|p| p.user_id == caller) else {
            return Err(ApiError::forbidden(
                "Only the room's participants can invite",
            ));
        };
        if !store::users::exists(&mut tx, user).await? {
            return Err(ApiError::not_found("User not found"));
        }
        if people.iter().any(|p| p.user_id == user) {
            return Err(ApiError::conflict("The user is already in the room"));
        }
        let new = store::rooms::invite(&mut tx, id, user, caller, Utc::now()).await?;
        if new {
            let message = format!("{} invited you to \"{}\".", inviter.username, room.name);
            self.notify(
                &mut tx,
                user,
                NewNotification {
                    kind: NotificationKind::Invitation,
                    title: "Room invitation",
                    message: &message,
                    room: Some(id),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    /// The host's start, pause or reset. Pressing a button whose effect is
    /// already there (two tabs at once) changes nothing and succeeds.
    pub async fn timer(
        &self,
        caller: UserId,
        id: RoomId,
        command: Command,
    ) -> Result<RoomView, ApiError> {
        let minute_ms = self.minute_ms;
        self.change(id, |svc, tx, room| {
            Box::pin(async move {
                if room.host_id != caller {
                    return Err(host_only());
                }
                let timer = room.timer();
                let next = timer
                    .apply(command, now_ms(), &room.lengths(minute_ms))
                    .map_err(|e| match e {
                        TimerError::NotStarted => ApiError::bad_request("The timer is not running")
                            .with_code("TIMER_NOT_RUNNING"),
                    })?;
                let Some(next) = next else {
                    return Ok(Outcome::Unchanged);
                };
                if !store::rooms::save_timer(tx, room.id, room.version, &next).await? {
                    return Err(ApiError::internal("a locked room changed underneath"));
                }
                room.set_timer(&next);
                if next.ends_ms.is_some() {
                    svc.timer_wake.notify_one();
                }
                Ok(Outcome::Changed(Vec::new()))
            })
        })
        .await
    }

    /// One step of the timer worker: completes the room's phases that have ended
    /// by now; `true` if any had.
    pub async fn step(&self, id: RoomId) -> Result<bool, ApiError> {
        let mut tx = self.db.begin().await?;
        let Some(mut room) = store::rooms::lock(&mut tx, id).await? else {
            tx.rollback().await?;
            return Ok(false);
        };
        let now = now_ms();
        if !self.catch_up(&mut tx, &mut room, now).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        let view = self.view_in(&mut tx, &room, now).await?;
        live::room_state(&mut tx, &self.hub, &view, &[]);
        tx.commit().await?;
        Ok(true)
    }

    /// Locks the room, brings its timer up to now, runs `f`; when `f` changed
    /// something (or the timer moved), queues the room's state and commits.
    async fn change<F>(&self, id: RoomId, f: F) -> Result<RoomView, ApiError>
    where
        F: for<'a> FnOnce(
            &'a Service,
            &'a mut Tx,
            &'a mut RoomRow,
        ) -> platform::app::BoxFuture<'a, Result<Outcome, ApiError>>,
    {
        let mut tx = self.db.begin().await?;
        let mut room = store::rooms::lock(&mut tx, id)
            .await?
            .ok_or_else(not_found)?;
        let moved = self.catch_up(&mut tx, &mut room, now_ms()).await?;
        let outcome = f(self, &mut tx, &mut room).await?;
        if matches!(outcome, Outcome::Changed(_)) {
            room.version = store::rooms::bump(&mut tx, id).await?;
        }
        let view = self.view_in(&mut tx, &room, now_ms()).await?;
        match outcome {
            Outcome::Unchanged if !moved => tx.rollback().await?,
            Outcome::Unchanged => {
                live::room_state(&mut tx, &self.hub, &view, &[]);
                tx.commit().await?;
            }
            Outcome::Changed(also) => {
                live::room_state(&mut tx, &self.hub, &view, &also);
                tx.commit().await?;
            }
        }
        Ok(view)
    }

    /// Completes every phase of a locked room that has ended by `now`: the timer
    /// moves on, each completed focus phase is credited, and the participants are
    /// told the last phase ended. `false` if none had.
    async fn catch_up(&self, tx: &mut Tx, room: &mut RoomRow, now: i64) -> Result<bool, ApiError> {
        let (timer, completed) = room.timer().advance(now, &room.lengths(self.minute_ms));
        let Some(last) = completed.last() else {
            return Ok(false);
        };
        if !store::rooms::save_timer(tx, room.id, room.version, &timer).await? {
            return Err(ApiError::internal("a locked room changed underneath"));
        }
        room.set_timer(&timer);
        for phase in completed.iter().filter(|c| c.phase == Phase::Focus) {
            let day = super::leaderboard::local_day(phase.ended_ms, self.tz);
            store::credits::credit_phase(tx, room.id, phase, day).await?;
        }
        let (title, message) = phase_end_texts(room, last);
        let people: Vec<UserId> = store::rooms::participants(tx, room.id)
            .await?
            .iter()
            .map(|p| p.user_id)
            .collect();
        let n = NewNotification {
            kind: NotificationKind::PhaseEnded,
            title,
            message: &message,
            room: Some(room.id),
        };
        for row in store::notifications::insert_for_each(tx, &people, &n, Utc::now()).await? {
            live::notify(tx, &self.hub, &row);
        }
        Ok(true)
    }

    async fn view_in(&self, tx: &mut Tx, room: &RoomRow, now: i64) -> Result<RoomView, ApiError> {
        let people = store::rooms::participants(tx, room.id).await?;
        Ok(RoomView::new(room, people, now))
    }

    /// Stores a notification and queues it for the user's connections.
    pub(crate) async fn notify(
        &self,
        tx: &mut Tx,
        user: UserId,
        n: NewNotification<'_>,
    ) -> Result<(), ApiError> {
        let row = store::notifications::insert(tx, user, &n, Utc::now()).await?;
        live::notify(tx, &self.hub, &row);
        Ok(())
    }
}

/// What a change did.
enum Outcome {
    Unchanged,
    /// Changed; the state also goes to these users (besides the participants).
    Changed(Vec<UserId>),
}

fn phase_end_texts(room: &RoomRow, last: &Completed) -> (&'static str, String) {
    match last.phase {
        Phase::Focus => (
            "Focus phase complete",
            format!(
                "{} minutes of focus done in \"{}\". Time for a break.",
                last.minutes, room.name
            ),
        ),
        Phase::Break | Phase::Idle => {
            ("Break over", format!("Back to focus in \"{}\".", room.name))
        }
    }
}

impl RoomRow {
    fn set_timer(&mut self, t: &crate::model::Timer) {
        self.phase = t.phase;
        self.ends_ms = t.ends_ms;
        self.remaining_ms = t.remaining_ms;
        self.phase_started_ms = t.phase_started_ms;
        self.phase_minutes = t.phase_minutes;
        self.phase_seq = t.phase_seq;
        self.version += 1;
    }
}
