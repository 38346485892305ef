//! What connected clients receive (seed §3): `{"type": "notification", "data"}` and
//! `{"type": "room_state", "data"}`, on the hub topic of each user they concern, so
//! every connection of that user on any instance gets them. They are queued in the
//! transaction that made the change and leave only once it commits; a client that
//! was offline finds notifications in the list and reads rooms again.

use platform::db::Tx;
use platform::realtime::Hub;
use serde::Serialize;
use serde_json::json;

use crate::model::{NotificationRow, NotificationView, RoomView, UserId};

/// The hub topic of one user's connections.
pub fn user_topic(user: UserId) -> String {
    format!("user:{user}")
}

#[derive(Serialize)]
struct NotificationData<'a> {
    notification_id: crate::model::NotificationId,
    #[serde(flatten)]
    view: &'a NotificationView,
}

pub fn notification_message(row: &NotificationRow) -> String {
    let view = NotificationView::from(row);
    json!({
        "type": "notification",
        "data": NotificationData { notification_id: row.id, view: &view },
    })
    .to_string()
}

pub fn room_state_message(room: &RoomView) -> String {
    json!({"type": "room_state", "data": room}).to_string()
}

/// Queues `row` for its user's connections.
pub fn notify(tx: &mut Tx, hub: &Hub, row: &NotificationRow) {
    tx.publish_after_commit(hub, user_topic(row.user_id), notification_message(row));
}

/// Queues `room`'s state for its participants and for `also` (someone who just
/// left or was removed).
pub fn room_state(tx: &mut Tx, hub: &Hub, room: &RoomView, also: &[UserId]) {
    let message = room_state_message(room);
    let recipients = room.participants.iter().map(|p| p.user_id);
    for user in recipients.chain(also.iter().copied()) {
        tx.publish_after_commit(hub, user_topic(user), message.clone());
    }
}
