//! Invites, joining and leaving a couple.

use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::ApiError;
use platform::db::is_unique_violation;
use rand::Rng;

use super::Service;
use crate::model::{CoupleId, UserId, UserRow};
use crate::store;

/// Invite codes: 8 characters without look-alikes (0/O, 1/I).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 8;
pub const INVITE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

fn already_in_couple() -> ApiError {
    ApiError::conflict("이미 커플로 연결되어 있습니다").with_code("ALREADY_IN_COUPLE")
}

fn invite_invalid(message: &'static str, code: &'static str) -> ApiError {
    ApiError::conflict(message).with_code(code)
}

/// A fresh single-use invite code of a user who is in no couple.
pub async fn invite(svc: &Service, user: &UserRow) -> Result<(String, DateTime<Utc>), ApiError> {
    if user.couple_id.is_some() {
        return Err(already_in_couple());
    }
    let now = Utc::now();
    let expires_at = now + INVITE_TTL;
    // 32^8 codes: a collision is rare, and a retry settles it.
    for _ in 0..5 {
        let code = new_code();
        match store::invites::insert(&svc.db, &code, user.id, now, expires_at).await {
            Ok(()) => return Ok((code, expires_at)),
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("could not find a free invite code"))
}

/// Joins the inviter's couple: the invite is used once, both users must be in no
/// couple, and it all happens in one transaction or not at all.
pub async fn join(
    svc: &Service,
    user: UserId,
    code: &str,
) -> Result<(CoupleId, Vec<UserRow>), ApiError> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != CODE_LEN || !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return Err(ApiError::field(
            "inviteCode",
            "8자리 초대 코드를 입력하세요",
        ));
    }
    let now = Utc::now();
    let mut tx = svc.db.begin().await?;
    let Some((inviter, expires_at, used)) = store::invites::get(&mut tx, &code).await? else {
        return Err(
            ApiError::not_found("초대 코드를 찾을 수 없습니다").with_code("INVITE_NOT_FOUND")
        );
    };
    if inviter == user {
        return Err(ApiError::field(
            "inviteCode",
            "자신의 초대 코드로는 연결할 수 없습니다",
        ));
    }
    if used {
        return Err(invite_invalid("이미 사용된 초대 코드입니다", "INVITE_USED"));
    }
    if expires_at <= now {
        return Err(invite_invalid("만료된 초대 코드입니다", "INVITE_EXPIRED"));
    }
    if !store::invites::take(&mut tx, &code, user, now).await? {
        return Err(invite_invalid("이미 사용된 초대 코드입니다", "INVITE_USED"));
    }
    let couple = CoupleId::new();
    store::couples::create(&mut tx, couple, [inviter, user], now).await?;
    if !store::users::enter_couple(&mut tx, user, couple).await? {
        return Err(already_in_couple());
    }
    if !store::users::enter_couple(&mut tx, inviter, couple).await? {
        return Err(invite_invalid(
            "초대한 사용자가 이미 다른 커플로 연결되어 있습니다",
            "INVITER_IN_COUPLE",
        ));
    }
    tx.commit().await?;
    let members = store::couples::members(&svc.db, couple).await?;
    Ok((couple, members))
}

/// Leaves the caller's couple: the room closes to new messages (history is kept and
/// stays readable by both), and both members are free to form a new couple.
pub async fn leave(svc: &Service, user: &UserRow) -> Result<CoupleId, ApiError> {
    let Some(couple) = user.couple_id else {
        return Err(not_in_couple());
    };
    let mut tx = svc.db.begin().await?;
    store::couples::close(&mut tx, couple, Utc::now()).await?;
    store::users::leave_couple(&mut tx, couple).await?;
    tx.commit().await?;
    Ok(couple)
}

pub fn not_in_couple() -> ApiError {
    ApiError::not_found("커플로 연결되어 있지 않습니다").with_code("NOT_IN_COUPLE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_alphabet() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), CODE_LEN);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
        }
    }
}
