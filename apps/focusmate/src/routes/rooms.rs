use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::Subject;
use platform::extract::{AppJson, AppPath, AppQuery};
use serde::{Deserialize, Serialize};

use super::{AppState, Caller, Nothing, Reply, Window, ok};
use crate::model::{Command, RoomId, RoomView, UserId};
use crate::service::rooms::RoomInput;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewRoomRequest {
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 100,
        example = "Morning deep work"
    )]
    name: String,
    #[schema(max_length = 1000)]
    description: Option<String>,
    /// 1 to 240 (default 25).
    #[schema(minimum = 1, maximum = 240, example = 25)]
    focus_minutes: Option<i64>,
    /// 1 to 120 (default 5).
    #[schema(minimum = 1, maximum = 120, example = 5)]
    break_minutes: Option<i64>,
    /// 1 to 100 (default 10), the host included.
    #[schema(minimum = 1, maximum = 100, example = 10)]
    max_participants: Option<i64>,
    /// Default true; a private room is joined by invitation.
    is_public: Option<bool>,
}

/// At least one field; new lengths apply from the next phase.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(min_properties = 1)]
pub struct RoomPatch {
    #[schema(min_length = 1, max_length = 100)]
    name: Option<String>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "platform::text_enum::double_option")]
    #[schema(max_length = 1000)]
    description: Option<Option<String>>,
    #[schema(minimum = 1, maximum = 240)]
    focus_minutes: Option<i64>,
    #[schema(minimum = 1, maximum = 120)]
    break_minutes: Option<i64>,
    /// Not below the participants present.
    #[schema(minimum = 1, maximum = 100)]
    max_participants: Option<i64>,
    is_public: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct InviteRequest {
    user_id: UserId,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Invitation {
    room_id: RoomId,
    user_id: UserId,
}

/// Creates a room; the creator is its host and first participant.
#[utoipa::path(post, path = "/api/v1/rooms", tag = "rooms", security(("bearer" = [])),
    request_body = NewRoomRequest,
    responses((status = 201, description = "The new room", body = Reply<RoomView>),
        (status = 422, description = "A field is missing or invalid (`VALIDATION_ERROR`)")))]
pub async fn create(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppJson(req): AppJson<NewRoomRequest>,
) -> Result<(StatusCode, Json<Reply<RoomView>>), ApiError> {
    let input = RoomInput {
        name: Some(req.name),
        description: Some(req.description),
        focus_minutes: req.focus_minutes,
        break_minutes: req.break_minutes,
        max_participants: req.max_participants,
        is_public: req.is_public,
    };
    let room = s.svc.create_room(caller, input).await?;
    Ok((StatusCode::CREATED, ok(room, "Room created")))
}

/// Public rooms, newest first, with their participants and timers.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "rooms", security(("bearer" = [])),
    params(Window),
    responses((status = 200, description = "Public rooms", body = Reply<Vec<RoomView>>)))]
pub async fn list(
    State(s): State<AppState>,
    Subject(_caller): Caller,
    AppQuery(window): AppQuery<Window>,
) -> Result<Json<Reply<Vec<RoomView>>>, ApiError> {
    let (limit, offset) = window.check()?;
    Ok(ok(
        s.svc.public_rooms(limit, offset).await?,
        "Rooms retrieved",
    ))
}

/// The rooms the caller is in, private ones included.
#[utoipa::path(get, path = "/api/v1/rooms/mine", tag = "rooms", security(("bearer" = [])),
    responses((status = 200, description = "The caller's rooms", body = Reply<Vec<RoomView>>)))]
pub async fn mine(
    State(s): State<AppState>,
    Subject(caller): Caller,
) -> Result<Json<Reply<Vec<RoomView>>>, ApiError> {
    Ok(ok(s.svc.rooms_of(caller).await?, "Rooms retrieved"))
}

/// A room: public ones to anyone, private ones to participants and invitees.
#[utoipa::path(get, path = "/api/v1/rooms/{room_id}", tag = "rooms", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)),
    responses((status = 200, description = "The room", body = Reply<RoomView>),
        (status = 404, description = "No such room, or a private one (`NOT_FOUND`)")))]
pub async fn detail(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
) -> Result<Json<Reply<RoomView>>, ApiError> {
    Ok(ok(s.svc.room(caller, id).await?, "Room retrieved"))
}

/// The host changes the room.
#[utoipa::path(patch, path = "/api/v1/rooms/{room_id}", tag = "rooms", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)), request_body = RoomPatch,
    responses((status = 200, description = "The changed room", body = Reply<RoomView>),
        (status = 403, description = "Not the host (`FORBIDDEN`)"),
        (status = 404, description = "No such room (`NOT_FOUND`)")))]
pub async fn update(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
    AppJson(req): AppJson<RoomPatch>,
) -> Result<Json<Reply<RoomView>>, ApiError> {
    let input = RoomInput {
        name: req.name,
        description: req.description,
        focus_minutes: req.focus_minutes,
        break_minutes: req.break_minutes,
        max_participants: req.max_participants,
        is_public: req.is_public,
    };
    Ok(ok(
        s.svc.update_room(caller, id, input).await?,
        "Room updated",
    ))
}

/// The host closes the room; the participants are notified.
#[utoipa::path(delete, path = "/api/v1/rooms/{room_id}", tag = "rooms", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)),
    responses((status = 200, description = "Closed (`data` is null)", body = Reply<Nothing>),
        (status = 403, description = "Not the host (`FORBIDDEN`)"),
        (status = 404, description = "No such room (`NOT_FOUND`)")))]
pub async fn delete(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
) -> Result<Json<Reply<Nothing>>, ApiError> {
    s.svc.delete_room(caller, id).await?;
    Ok(ok(Nothing, "Room deleted"))
}

/// Joins a room; joining twice changes nothing. A private room needs an
/// invitation.
#[utoipa::path(post, path = "/api/v1/rooms/{room_id}/join", tag = "rooms", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)),
    responses((status = 200, description = "The room, with the caller in it", body = Reply<RoomView>),
        (status = 400, description = "The room is full (`ROOM_FULL`)"),
        (status = 404, description = "No such room, or a private one without an invitation")))]
pub async fn join(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
) -> Result<Json<Reply<RoomView>>, ApiError> {
    Ok(ok(s.svc.join(caller, id).await?, "Joined the room"))
}

/// Leaves a room. A leaving host hands it to the longest-present participant;
/// the last one out closes it (`data` is null then).
#[utoipa::path(post, path = "/api/v1/rooms/{room_id}/leave", tag = "rooms", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)),
    responses((status = 200, description = "The room without the caller, or null", body = Reply<Option<RoomView>>),
        (status = 404, description = "No such room (`NOT_FOUND`)")))]
pub async fn leave(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
) -> Result<Json<Reply<Option<RoomView>>>, ApiError> {
    Ok(ok(s.svc.leave(caller, id).await?, "Left the room"))
}

/// Invites a user to a room the caller is in; they are notified once.
#[utoipa::path(post, path = "/api/v1/rooms/{room_id}/invite", tag = "rooms", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)), request_body = InviteRequest,
    responses((status = 201, description = "Invited", body = Reply<Invitation>),
        (status = 200, description = "Invited before; nothing sent again", body = Reply<Invitation>),
        (status = 403, description = "The caller is not in the room (`FORBIDDEN`)"),
        (status = 404, description = "No such room or user (`NOT_FOUND`)"),
        (status = 409, description = "The user is in the room already (`CONFLICT`)")))]
pub async fn invite(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
    AppJson(req): AppJson<InviteRequest>,
) -> Result<(StatusCode, Json<Reply<Invitation>>), ApiError> {
    let new = s.svc.invite(caller, id, req.user_id).await?;
    let data = Invitation {
        room_id: id,
        user_id: req.user_id,
    };
    Ok(if new {
        (StatusCode::CREATED, ok(data, "Invitation sent"))
    } else {
        (StatusCode::OK, ok(data, "Already invited"))
    })
}

async fn timer(
    s: AppState,
    caller: UserId,
    id: RoomId,
    command: Command,
    message: &'static str,
) -> Result<Json<Reply<RoomView>>, ApiError> {
    Ok(ok(s.svc.timer(caller, id, command).await?, message))
}

/// The host starts the timer: a focus phase from idle, or the paused phase again.
#[utoipa::path(post, path = "/api/v1/rooms/{room_id}/timer/start", tag = "timer", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)),
    responses((status = 200, description = "The room with its running timer", body = Reply<RoomView>),
        (status = 403, description = "Not the host (`FORBIDDEN`)")))]
pub async fn start(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
) -> Result<Json<Reply<RoomView>>, ApiError> {
    timer(s, caller, id, Command::Start, "Timer started").await
}

/// The host pauses the timer; `remaining_seconds` stays until it starts again.
#[utoipa::path(post, path = "/api/v1/rooms/{room_id}/timer/pause", tag = "timer", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)),
    responses((status = 200, description = "The room with its paused timer", body = Reply<RoomView>),
        (status = 400, description = "The timer is idle (`TIMER_NOT_RUNNING`)"),
        (status = 403, description = "Not the host (`FORBIDDEN`)")))]
pub async fn pause(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
) -> Result<Json<Reply<RoomView>>, ApiError> {
    timer(s, caller, id, Command::Pause, "Timer paused").await
}

/// The host resets the timer to idle.
#[utoipa::path(post, path = "/api/v1/rooms/{room_id}/timer/reset", tag = "timer", security(("bearer" = [])),
    params(("room_id" = RoomId, Path)),
    responses((status = 200, description = "The room with its idle timer", body = Reply<RoomView>),
        (status = 403, description = "Not the host (`FORBIDDEN`)")))]
pub async fn reset(
    State(s): State<AppState>,
    Subject(caller): Caller,
    AppPath(id): AppPath<RoomId>,
) -> Result<Json<Reply<RoomView>>, ApiError> {
    timer(s, caller, id, Command::Reset, "Timer reset").await
}
