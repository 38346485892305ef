//! Chat's rules for the STOMP session the platform runs ([`platform::stomp`]):
//! who may subscribe to which room, what a SEND to each destination does, presence
//! on connect and disconnect, and the seed's error reports on the user's error queue.

pub mod destination;

use platform::auth::JwtKeys;
use platform::stomp::{ErrorFrame, Refusal, StompApp};
use platform::{ApiError, ErrorKind};
use serde::Deserialize;

use crate::model::{CoupleId, ErrorCode, ErrorMessage, MessageId, SendRequest, UserClaims, UserId};
use crate::model::{errors_topic, room_topic};
use crate::service::Service;
use crate::service::messages::{Author, is_client_error};
use destination::{Action, Topic};

/// The chat app as a STOMP application: one per session.
pub struct ChatStomp {
    pub svc: Service,
    /// Verifies the token of a CONNECT frame.
    pub jwt: JwtKeys,
}

/// What a session remembers: the rooms it sent to, with how they show the sender
/// (checked once per room and session).
#[derive(Default)]
pub struct Authors(Vec<(CoupleId, Author)>);

/// `ERROR` with `message:CODE` and the seed's JSON body.
fn seed_error(code: ErrorCode, text: &str) -> ErrorFrame {
    let body = serde_json::to_vec(&ErrorMessage::new(code, text, None))
        .expect("an error message serializes");
    ErrorFrame::new(code.as_str()).with_json(body)
}

impl StompApp for ChatStomp {
    type User = UserId;
    type Session = Authors;

    fn authenticate(&self, token: &str) -> Option<UserId> {
        let claims = self.jwt.verify::<UserClaims>(token).ok()?;
        claims.subject().ok()
    }

    fn unauthenticated(&self) -> ErrorFrame {
        seed_error(ErrorCode::AuthFailed, "인증에 실패했습니다.")
    }

    async fn connected(&self, user: &UserId) -> bool {
        match self.svc.connected(*user).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e.message, "stomp: presence update failed");
                false
            }
        }
    }

    async fn disconnected(&self, user: &UserId) {
        if let Err(e) = self.svc.disconnected(*user).await {
            tracing::warn!(error = %e.message, "stomp: presence update failed");
        }
    }

    async fn subscribe(&self, user: &UserId, destination: &str) -> Result<String, Refusal> {
        match Topic::parse(destination) {
            Some(Topic::Errors) => Ok(errors_topic(*user)),
            Some(Topic::Room(couple)) => match self.svc.require_member(couple, *user).await {
                Ok(()) => Ok(room_topic(couple)),
                Err(e) if e.kind == ErrorKind::Forbidden => Err(Refusal::Denied(seed_error(
                    ErrorCode::Unauthorized,
                    &e.message,
                ))),
                Err(e) => {
                    tracing::error!(error = %e.message, "stomp: subscribe failed");
                    Err(Refusal::Failed)
                }
            },
            None => Err(Refusal::UnknownDestination),
        }
    }

    async fn send(&self, authors: &mut Authors, user: &UserId, destination: &str, body: &[u8]) {
        let user = *user;
        let svc = &self.svc;
        let result = match Action::parse(destination) {
            None => Err(ApiError::bad_request(format!(
                "알 수 없는 destination입니다: {destination}"
            ))),
            Some(Action::Send(couple)) => match parse_body::<SendRequest>(body) {
                Ok(req) => match self.author(authors, user, couple).await {
                    Ok(author) => svc.send(&author, couple, &req).await.map(|_| ()),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
            Some(Action::Read(couple)) => match parse_body::<ReadRequest>(body) {
                Ok(req) => svc
                    .mark_read(user, couple, &req.message_ids)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            },
            Some(Action::Typing(couple)) => match parse_body::<TypingRequest>(body) {
                Ok(req) => svc.typing(user, couple, req.typing).await,
                Err(e) => Err(e),
            },
        };
        if let Err(e) = result {
            self.report(user, &e, body).await;
        }
    }
}

impl ChatStomp {
    /// The sender as `couple` shows them, looked up once per room and session.
    async fn author(
        &self,
        authors: &mut Authors,
        user: UserId,
        couple: CoupleId,
    ) -> Result<Author, ApiError> {
        if let Some((_, author)) = authors.0.iter().find(|(c, _)| *c == couple) {
            return Ok(author.clone());
        }
        let author = self.svc.author(couple, user).await?;
        authors.0.push((couple, author.clone()));
        Ok(author)
    }

    /// Sends an error to the user's error queue (`/user/queue/errors`), with the
    /// `tempId` of the failed message when there was one.
    async fn report(&self, user: UserId, e: &ApiError, body: &[u8]) {
        let temp_id = temp_id_of(body);
        let code = match e.kind {
            ErrorKind::Forbidden => ErrorCode::Unauthorized,
            ErrorKind::Unauthorized(_) => ErrorCode::AuthFailed,
            _ => ErrorCode::SendFailed,
        };
        let message = if !is_client_error(e) {
            tracing::error!(error = %e.message, cause = ?e.internal_cause(), "stomp: send failed");
            "메시지 전송에 실패했습니다.".to_owned()
        } else if code == ErrorCode::SendFailed {
            let mut text = format!("메시지 전송에 실패했습니다: {}", e.message);
            for d in e.details() {
                text.push_str(&format!(" [{}: {}]", d.field, d.message));
            }
            text
        } else {
            e.message.to_string()
        };
        let error = ErrorMessage::new(code, message, temp_id);
        if let Err(e) = self.svc.publish(&errors_topic(user), &error).await {
            tracing::warn!(error = %e.message, "stomp: error report not delivered");
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadRequest {
    message_ids: Vec<MessageId>,
}

#[derive(Deserialize)]
struct TypingRequest {
    typing: bool,
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    platform::extract::parse_json(body, crate::MANIFEST.languages[0].texts)
}

/// The `tempId` of a SEND body, if it has one (even when the body is otherwise bad).
fn temp_id_of(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("tempId")?.as_str().map(str::to_owned)
}
