//! Accounts: sign-up, profiles, devices, and the users as the platform's account
//! flow sees them (login by e-mail).

use chrono::Utc;
use platform::ApiError;
use platform::auth::{AccountTexts, Directory, Passwords};
use platform::db::{Db, is_unique_violation};
use platform::texts::Language;
use platform::validate::{Email, FieldErrors};

use crate::i18n;
use crate::model::{UserClaims, UserId, UserRow};
use crate::store;
use crate::store::devices::Device;

/// Empty: the platform words these failures in the request's language.
pub const TEXTS: AccountTexts = AccountTexts {
    bad_credentials: "",
    user_gone: "",
};

/// bcrypt reads at most 72 bytes; a longer password would be silently cut.
const PASSWORD_MAX_BYTES: usize = 72;

fn nickname_ok(nickname: &str) -> bool {
    (1..=30).contains(&nickname.chars().count())
}

/// A new account.
pub async fn signup(
    db: &Db,
    passwords: &Passwords,
    lang: Language,
    email: &str,
    password: &str,
    nickname: &str,
) -> Result<UserRow, ApiError> {
    let messages = i18n::field_messages(lang);
    let mut errors = FieldErrors::new(messages);
    let email = match Email::parse(email) {
        Ok(email) => Some(email),
        Err(platform::validate::EmailError::Missing) => {
            errors.add("email", messages.required);
            None
        }
        Err(platform::validate::EmailError::Malformed) => {
            errors.add("email", i18n::EMAIL_INVALID.in_(lang));
            None
        }
    };
    if password.chars().count() < 8 || password.len() > PASSWORD_MAX_BYTES {
        errors.add("password", i18n::PASSWORD_RULE.in_(lang));
    }
    let nickname = platform::text::trim(nickname);
    if !nickname_ok(nickname) {
        errors.add("nickname", i18n::NICKNAME_LENGTH.in_(lang));
    }
    errors.finish()?;
    let email = email.expect("a missing or malformed e-mail failed validation above");
    let hash = passwords.hash(password).await?;
    let mut tx = db.begin().await?;
    match store::users::insert(&mut tx, email.as_str(), &hash, nickname, Utc::now()).await {
        Ok(user) => {
            tx.commit().await?;
            Ok(user)
        }
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await?;
            Err(ApiError::conflict(i18n::EMAIL_TAKEN.in_(lang)))
        }
        Err(e) => Err(e.into()),
    }
}

/// A profile change as the client sent it: an absent field stays, a `null` bio
/// or image is removed.
#[derive(Debug, Default)]
pub struct ProfileInput {
    pub nickname: Option<String>,
    pub bio: Option<Option<String>>,
    pub profile_image: Option<Option<String>>,
}

fn image_url_ok(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

pub async fn update_profile(
    db: &Db,
    lang: Language,
    id: UserId,
    input: ProfileInput,
) -> Result<UserRow, ApiError> {
    let mut errors = FieldErrors::new(i18n::field_messages(lang));
    let nickname = input.nickname.as_deref().map(platform::text::trim);
    if nickname.is_some_and(|n| !nickname_ok(n)) {
        errors.add("nickname", i18n::NICKNAME_LENGTH.in_(lang));
    }
    // A blank bio or image is the same as none.
    let bio = input.bio.as_ref().map(|b| {
        b.as_deref()
            .map(platform::text::trim)
            .filter(|b| !b.is_empty())
    });
    if let Some(Some(b)) = bio
        && b.chars().count() > 500
    {
        errors.add("bio", (i18n::field_messages(lang).too_long)(500));
    }
    let image = input.profile_image.as_ref().map(|i| {
        i.as_deref()
            .map(platform::text::trim)
            .filter(|i| !i.is_empty())
    });
    if let Some(Some(i)) = image
        && (i.len() > 2000 || !image_url_ok(i))
    {
        errors.add("profile_image", i18n::IMAGE_URL.in_(lang));
    }
    if nickname.is_none() && bio.is_none() && image.is_none() {
        errors.add("body", i18n::NOTHING_TO_CHANGE.in_(lang));
    }
    errors.finish()?;
    let change = store::users::ProfileChange {
        nickname,
        bio,
        profile_image: image,
    };
    store::users::update_profile(db, id, &change)
        .await?
        .ok_or_else(|| ApiError::unauthorized(platform::error::AuthFailure::Invalid, ""))
}

/// Registers a device for pushes; `true` if it is new to the caller.
pub async fn register_device(
    db: &Db,
    lang: Language,
    user: UserId,
    token: &str,
) -> Result<(Device, bool), ApiError> {
    let mut errors = FieldErrors::new(i18n::field_messages(lang));
    // FCM registration tokens are around 150 to 200 characters.
    let token = errors.text("fcm_token", token, 4096);
    errors.finish()?;
    match store::devices::register(db, user, &token, Utc::now()).await {
        // The same new token registered twice at once: the second sees the first.
        Err(e) if is_unique_violation(&e) => {
            Ok(store::devices::register(db, user, &token, Utc::now()).await?)
        }
        other => Ok(other?),
    }
}

/// The app's users as the account flow sees them.
pub struct Users {
    pub db: Db,
}

impl Directory for Users {
    type User = UserRow;
    type Claims = UserClaims;

    async fn find_by_login(&self, login: &str) -> Result<Option<UserRow>, ApiError> {
        let Ok(email) = Email::parse(login) else {
            return Ok(None);
        };
        let user = store::users::by_email(&self.db, email.as_str()).await?;
        Ok(user.filter(|u| u.disabled_at.is_none()))
    }

    async fn find_by_subject(&self, subject: &str) -> Result<Option<UserRow>, ApiError> {
        let Ok(id) = subject.parse::<UserId>() else {
            return Ok(None);
        };
        Ok(store::users::by_id(&self.db, id).await?)
    }

    fn password_hash(user: &UserRow) -> &str {
        &user.password_hash
    }

    fn subject(user: &UserRow) -> String {
        user.id.to_string()
    }

    fn claims(_: &UserRow) -> UserClaims {
        UserClaims {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_web_addresses() {
        for ok in ["https://img.example.com/a.png", "http://x.y/z"] {
            assert!(image_url_ok(ok), "{ok}");
        }
        for bad in [
            "ftp://x/y",
            "https://",
            "https:///x",
            "javascript:alert(1)",
            "https://a b",
        ] {
            assert!(!image_url_ok(bad), "{bad}");
        }
    }
}
