//! Sending, history, read receipts and typing.

use chrono::Utc;
use platform::db::is_unique_violation;
use platform::time::LocalTime;
use platform::validate::FieldErrors;
use platform::{ApiError, ErrorKind};
use serde::Serialize;

use super::{MESSAGES, Service};
use crate::model::{
    CoupleId, MemberView, MessageId, MessageRow, MessageType, MessageView, ReadReceipt,
    SendRequest, SystemEvent, SystemMessage, UserId, UserRow, room_topic,
};
use crate::store;
use crate::store::messages::NewMessage;

pub const CONTENT_MAX: usize = 5_000;
const STICKER_MAX: usize = 100;
const TEMP_ID_MAX: usize = 100;
pub const PAGE_MAX: i64 = 100;
pub const PAGE_DEFAULT: i64 = 50;
/// Read receipts for at most this many messages per request.
pub const READ_MAX: usize = 500;

/// A validated message, ready to store.
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
                    Some(c) if !c.trim().is_empty() => {
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
                        if self.issued_image(url).await? {
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

    /// Was this URL issued by this server's object store and uploaded?
    async fn issued_image(&self, url: &str) -> Result<bool, ApiError> {
        let Some(key) = self.objects.key_of_url(url) else {
            return Ok(false);
        };
        Ok(store::uploads::issued(&self.db, key).await? && self.objects.exists(key).await)
    }

    /// Validates, stores and broadcasts a message. A retry with a `tempId` already
    /// stored for this sender stores nothing and broadcasts the stored message again.
    ///
    /// The broadcast happens while the room's row is locked, just before commit, so
    /// that messages reach subscribers (on every instance) in storage order.
    pub async fn send(
        &self,
        sender: UserId,
        couple: CoupleId,
        req: &SendRequest,
    ) -> Result<Sent, ApiError> {
        self.require_member(couple, sender).await?;
        let out = self.validate(req).await?;
        if let Some(temp_id) = &out.temp_id
            && let Some(message) = store::messages::by_temp_id(&self.db, sender, temp_id).await?
        {
            return self.redeliver(message).await;
        }
        let mut tx = self.db.begin().await?;
        let Some((seq, created_at)) =
            store::couples::next_slot(&mut tx, couple, Utc::now()).await?
        else {
            return Err(room_closed());
        };
        let new = NewMessage {
            id: MessageId::new(),
            couple,
            sender,
            kind: out.kind,
            content: out.content.as_deref(),
            image_url: out.image_url.as_deref(),
            temp_id: out.temp_id.as_deref(),
            seq,
            created_at,
        };
        let message = match store::messages::insert(&mut tx, &new).await {
            Ok(m) => m,
            Err(e) if is_unique_violation(&e) && out.temp_id.is_some() => {
                // The same retry racing the original: the original won.
                tx.rollback().await?;
                let temp_id = out.temp_id.as_deref().unwrap_or_default();
                let message = store::messages::by_temp_id(&self.db, sender, temp_id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::internal("tempId conflict without a stored message")
                    })?;
                return self.redeliver(message).await;
            }
            Err(e) => return Err(e.into()),
        };
        self.publish(&room_topic(couple), &MessageView::new(&message, self.tz))
            .await?;
        tx.commit().await?;
        Ok(Sent {
            message,
            duplicate: false,
        })
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
        let mut tx = self.db.begin().await?;
        let changed = store::messages::mark_read(&mut tx, couple, reader, &ids, now).await?;
        tx.commit().await?;
        if changed.is_empty() {
            return Ok(None);
        }
        let receipt = ReadReceipt {
            kind: "READ_RECEIPT",
            message_ids: changed,
            read_at: LocalTime::new(now, self.tz),
            reader_id: reader,
        };
        self.publish(&room_topic(couple), &receipt).await?;
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
#[derive(Debug, Serialize)]
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
