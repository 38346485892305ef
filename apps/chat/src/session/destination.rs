//! The STOMP destinations of the spec.

use crate::model::CoupleId;

/// Where a client may SUBSCRIBE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `/topic/couple/{coupleId}`: the room's messages, receipts and system events.
    Room(CoupleId),
    /// `/user/queue/errors`: this user's error messages.
    Errors,
}

/// Where a client may SEND.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `/app/chat/{coupleId}`
    Send(CoupleId),
    /// `/app/chat/{coupleId}/read`
    Read(CoupleId),
    /// `/app/chat/{coupleId}/typing`
    Typing(CoupleId),
}

pub const ERRORS_QUEUE: &str = "/user/queue/errors";

impl Topic {
    pub fn parse(destination: &str) -> Option<Self> {
        if destination == ERRORS_QUEUE {
            return Some(Topic::Errors);
        }
        let id = destination.strip_prefix("/topic/couple/")?;
        id.parse().ok().map(Topic::Room)
    }
}

impl Action {
    pub fn parse(destination: &str) -> Option<Self> {
        let rest = destination.strip_prefix("/app/chat/")?;
        let (id, action) = match rest.split_once('/') {
            Some((id, action)) => (id, Some(action)),
            None => (rest, None),
        };
        let couple: CoupleId = id.parse().ok()?;
        match action {
            None => Some(Action::Send(couple)),
            Some("read") => Some(Action::Read(couple)),
            Some("typing") => Some(Action::Typing(couple)),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "660e8400-e29b-41d4-a716-446655440001";

    #[test]
    fn destinations_of_the_spec() {
        let couple: CoupleId = ID.parse().unwrap();
        assert_eq!(
            Topic::parse(&format!("/topic/couple/{ID}")),
            Some(Topic::Room(couple))
        );
        assert_eq!(Topic::parse("/user/queue/errors"), Some(Topic::Errors));
        assert_eq!(Topic::parse("/topic/couple/not-a-uuid"), None);
        assert_eq!(Topic::parse("/topic/other"), None);
        assert_eq!(
            Action::parse(&format!("/app/chat/{ID}")),
            Some(Action::Send(couple))
        );
        assert_eq!(
            Action::parse(&format!("/app/chat/{ID}/read")),
            Some(Action::Read(couple))
        );
        assert_eq!(
            Action::parse(&format!("/app/chat/{ID}/typing")),
            Some(Action::Typing(couple))
        );
        assert_eq!(Action::parse(&format!("/app/chat/{ID}/delete")), None);
        assert_eq!(Action::parse("/app/chat/"), None);
    }
}
