//! Sending, history, read receipts and typing.

use chrono::Utc;
use platform::time::LocalTime;
use platform::validate::FieldErrors;
use platform::{ApiError, ErrorKind};
use serde::Serialize;

use super::writer::{Draft, Stored, room_key};
use super::{MESSAGES, Service};
use crate::model::{
    CoupleId, MemberView, MessageId, MessageRow, MessageType, MessageView, ReadReceipt,
    SendRequest, SystemEvent, SystemMessage, UserId, UserRow, room_topic,
};
use crate::store;

pub const CONTENT_MAX: usize = 5_000;
const STICKER_MAX: usize = 100;
const TEMP_ID_MAX: usize = 100;
pub const PAGE_MAX: i64 = 100;
pub const PAGE_DEFAULT: i64 = 50;
/// Read receipts for at most this many messages per request.
pub const READ_MAX: usize = 500;

/// Who sends a message, as the message shows them.
#[derive(Debug, Clone)]
pub struct Author {
    pub id: UserId,
    pub name: String,
    pub profile_image: Option<String>,
}

/// A validated message.
struct Outgoing {
    kind: MessageType,
    content: Option<String>,
    image_url: Option<String>,
    temp_id: Option<String>,
}

/// The result of a send: the stored message, and whether it was stored before
/// (a retry with the same `tempId`).
pub struct Sent {
    pub message: MessageRow,
    pub duplicate: bool,
}

impl Service {
    async fn validate(&self, req: &SendRequest) -> Result<Outgoing, ApiError> {
        let mut errors = FieldErrors::new(&MESSAGES);
        let temp_id = errors.optional("tempId", req.temp_id.as_deref(), TEMP_ID_MAX);
        let kind = match req.kind.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("type", MESSAGES.required);
                None
            }
            Some(k) => match k.parse::<MessageType>() {
                Ok(k) => Some(k),
                Err(e) => {
                    errors.add("type", e);
                    None
                }
            },
        };
        let mut content = None;
        let mut image_url = None;
        match kind {
            Some(MessageType::Text) => {
                // Text is kept as sent (leading spaces may matter); it must not be blank.
                match req.content.as_deref() {
                    Some(c) if !platform::text::is_blank(c) => {
                        if c.chars().count() > CONTENT_MAX {
                            errors.add("content", (MESSAGES.too_long)(CONTENT_MAX));
                        }
                        content = Some(c.to_owned());
                    }
                    _ => errors.add("content", MESSAGES.required),
                }
            }
            Some(MessageType::Sticker) => {
                content =
                    Some(errors.text("content", req.content.as_deref().unwrap_or(""), STICKER_MAX));
            }
            Some(MessageType::Image) => {
                content = errors.optional("content", req.content.as_deref(), CONTENT_MAX);
                match req
                    .image_url
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                {
                    None => errors.add("imageUrl", MESSAGES.required),
                    Some(url) => {
                        if self.uploads.is_ours(url).await? {
                            image_url = Some(url.to_owned());
                        } else {
                            errors.add("imageUrl", "이 서버에서 업로드한 이미지가 아닙니다");
                        }
                    }
                }
            }
            None => {}
        }
        errors.finish()?;
        Ok(Outgoing {
            kind: kind.expect("a message without a valid type failed validation above"),
            content,
            image_url,
            temp_id,
        })
    }

    /// The sender as a room shows them, if they are (or were) a member of it: the
    /// membership check and the sender's name and picture in one read. A STOMP
    /// session keeps it for the rooms it sends to (membership is never withdrawn:
    /// former members keep reading; a closed room refuses new messages on its own).
    pub async fn author(&self, couple: CoupleId, user: UserId) -> Result<Author, ApiError> {
        match store::couples::member(&self.db, couple, user).await? {
            Some((name, profile_image)) => Ok(Author {
                id: user,
                name,
                profile_image,
            }),
            None => Err(super::forbidden_room()),
        }
    }

    /// Validates, stores and broadcasts a message (through the group-commit
    /// writer). A retry with a `tempId` already stored for this sender stores
    /// nothing and broadcasts the stored message again.
    pub async fn send(
        &self,
        author: &Author,
        couple: CoupleId,
        req: &SendRequest,
    ) -> Result<Sent, ApiError> {
        let out = self.validate(req).await?;
        let temp_id = out.temp_id.clone();
        let draft = Draft {
            author: author.clone(),
            couple,
            kind: out.kind,
            content: out.content,
            image_url: out.image_url,
            temp_id: out.temp_id,
        };
        match self.writer.store(draft).await? {
            Stored::New(message) => Ok(Sent {
                message: *message,
                duplicate: false,
            }),
            // Stored before (or by a racing retry): delivered again. A retry of a
            // message stored before its room closed is still a retry.
            Stored::Duplicate | Stored::Closed => {
                match self.stored(author.id, temp_id.as_deref()).await? {
                    Some(message) => self.redeliver(message).await,
                    None => Err(room_closed()),
                }
            }
        }
    }

    async fn stored(
        &self,
        sender: UserId,
        temp_id: Option<&str>,
    ) -> Result<Option<MessageRow>, ApiError> {
        match temp_id {
            Some(t) => Ok(store::messages::by_temp_id(&self.db, sender, t).await?),
            None => Ok(None),
        }
    }

    async fn redeliver(&self, message: MessageRow) -> Result<Sent, ApiError> {
        self.publish(
            &room_topic(message.couple_id),
            &MessageView::new(&message, self.tz),
        )
        .await?;
        Ok(Sent {
            message,
            duplicate: true,
        })
    }

    /// Marks the partner's listed unread messages read and broadcasts one
    /// `READ_RECEIPT` with the ids that changed (none: nothing is broadcast).
    pub async fn mark_read(
        &self,
        reader: UserId,
        couple: CoupleId,
        ids: &[MessageId],
    ) -> Result<Option<ReadReceipt>, ApiError> {
        self.require_member(couple, reader).await?;
        if ids.len() > READ_MAX {
            return Err(ApiError::field(
                "messageIds",
                format!("한 번에 {READ_MAX}개까지 읽음 처리할 수 있습니다"),
            ));
        }
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        let now = Utc::now();
        // Ordered with the room's messages, so a receipt never overtakes them.
        let mut tx = self.db.begin_ordered(&[room_key(couple)]).await?;
        let changed = store::messages::mark_read(&mut tx, couple, reader, &ids, now).await?;
        if changed.is_empty() {
            tx.commit().await?;
            return Ok(None);
        }
        let receipt = ReadReceipt {
            kind: "READ_RECEIPT",
            message_ids: changed,
            read_at: LocalTime::new(now, self.tz),
            reader_id: reader,
        };
        let body = serde_json::to_string(&receipt).map_err(ApiError::internal)?;
        tx.publish_after_commit(&self.hub, room_topic(couple), body);
        tx.commit().await?;
        Ok(Some(receipt))
    }

    /// Broadcasts `SYSTEM`/`TYPING`; nothing is stored.
    pub async fn typing(
        &self,
        user: UserId,
        couple: CoupleId,
        typing: bool,
    ) -> Result<(), ApiError> {
        self.require_member(couple, user).await?;
        let event = SystemMessage {
            kind: "SYSTEM",
            event: SystemEvent::Typing,
            user_id: user,
            timestamp: LocalTime::new(Utc::now(), self.tz),
            typing: Some(typing),
        };
        self.publish(&room_topic(couple), &event).await
    }

    /// A page of history in storage order. `after` pages forward (a reconnecting
    /// client catching up), `before` backward (scrolling up); with neither, the
    /// latest page. `hasMore`: there are more in the paging direction.
    pub async fn history(
        &self,
        reader: UserId,
        couple: CoupleId,
        before: Option<MessageId>,
        after: Option<MessageId>,
        size: i64,
    ) -> Result<(Vec<MessageRow>, bool), ApiError> {
        self.require_member(couple, reader).await?;
        let cursor = |field: &'static str, id: Option<MessageId>| async move {
            match id {
                None => Ok(None),
                Some(id) => match store::messages::seq_of(&self.db, couple, id).await? {
                    Some(seq) => Ok(Some(seq)),
                    None => Err(ApiError::field(field, "이 채팅방의 메시지가 아닙니다")),
                },
            }
        };
        let before_seq = cursor("before", before).await?;
        let after_seq = cursor("after", after).await?;
        let backward = after_seq.is_none();
        let mut rows =
            store::messages::page(&self.db, couple, after_seq, before_seq, size + 1, backward)
                .await?;
        let has_more = rows.len() as i64 > size;
        if has_more {
            if backward {
                rows.remove(0);
            } else {
                rows.pop();
            }
        }
        Ok((rows, has_more))
    }
}

fn room_closed() -> ApiError {
    ApiError::conflict("종료된 채팅방에는 메시지를 보낼 수 없습니다").with_code("ROOM_CLOSED")
}

/// `GET /chat/room`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomView {
    pub room_id: CoupleId,
    pub partner: Option<MemberView>,
    /// Whether the partner has a connection open right now (the `SYSTEM` events
    /// only tell about changes).
    pub partner_online: bool,
    pub unread_count: i64,
    pub last_message: Option<MessageView>,
}

pub async fn room(svc: &Service, user: &UserRow) -> Result<RoomView, ApiError> {
    let Some(couple) = user.couple_id else {
        return Err(super::couples::not_in_couple());
    };
    let members = store::couples::members(&svc.db, couple).await?;
    let partner = members
        .iter()
        .find(|m| m.id != user.id)
        .map(MemberView::from);
    let partner_online = match &partner {
        Some(p) => svc.is_online(p.id).await?,
        None => false,
    };
    let unread_count = store::messages::unread_count(&svc.db, couple, user.id).await?;
    let last = store::messages::last(&svc.db, couple).await?;
    Ok(RoomView {
        room_id: couple,
        partner,
        partner_online,
        unread_count,
        last_message: last.map(|m| MessageView::new(&m, svc.tz)),
    })
}

/// Is this error one the client caused (as opposed to the server failing)?
pub fn is_client_error(e: &ApiError) -> bool {
    !matches!(e.kind, ErrorKind::Internal | ErrorKind::Timeout)
}
