//! Sign-up, login checks and profiles.

use chrono::Utc;
use platform::ApiError;
use platform::auth::{AccountTexts, Directory, Passwords};
use platform::db::{Db, is_unique_violation};
use platform::error::AuthFailure;
use platform::validate::{Email, EmailError, FieldErrors};

use super::{MESSAGES, Service};
use crate::model::{UserClaims, UserId, UserRow};
use crate::store;

pub const NAME_MAX: usize = 30;
pub const PASSWORD_MIN: usize = 8;
/// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
const PASSWORD_MAX_BYTES: usize = 72;
const PROFILE_IMAGE_MAX: usize = 2048;

/// A normalized e-mail address (trimmed, lower case), or the problem with it.
pub fn parse_email(input: &str) -> Result<String, &'static str> {
    Email::parse(input)
        .map(Email::into_string)
        .map_err(|e| match e {
            EmailError::Missing => "필수 항목입니다",
            EmailError::Malformed => "올바른 이메일 형식이 아닙니다",
        })
}

fn check_password(errors: &mut FieldErrors, password: &str) {
    if password.chars().count() < PASSWORD_MIN {
        errors.add("password", format!("{PASSWORD_MIN}자 이상이어야 합니다"));
    } else if password.len() > PASSWORD_MAX_BYTES {
        errors.add(
            "password",
            format!("{PASSWORD_MAX_BYTES}바이트 이하여야 합니다"),
        );
    }
}

pub async fn sign_up(
    db: &Db,
    passwords: &Passwords,
    email: &str,
    password: &str,
    name: &str,
) -> Result<UserRow, ApiError> {
    let mut errors = FieldErrors::new(&MESSAGES);
    let email = parse_email(email).unwrap_or_else(|e| {
        errors.add("email", e);
        String::new()
    });
    check_password(&mut errors, password);
    let name = errors.text("name", name, NAME_MAX);
    errors.finish()?;
    let hash = passwords.hash(password).await?;
    match store::users::insert(db, UserId::new(), &email, &hash, &name, Utc::now()).await {
        Ok(user) => Ok(user),
        Err(e) if is_unique_violation(&e) => {
            Err(ApiError::conflict("이미 가입된 이메일입니다").with_code("EMAIL_ALREADY_EXISTS"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The login form's own checks, before the account flow looks the user up.
pub fn check_login(email: &str, password: &str) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new(&MESSAGES);
    if platform::text::is_blank(email) {
        errors.add("email", MESSAGES.required);
    }
    if password.is_empty() {
        errors.add("password", MESSAGES.required);
    }
    errors.finish()
}

pub const TEXTS: AccountTexts = AccountTexts {
    bad_credentials: "이메일 또는 비밀번호가 올바르지 않습니다",
    user_gone: "사용자가 존재하지 않습니다",
};

/// Chat's users as the platform's account flow sees them: login by e-mail (case
/// does not matter), the user id as the token subject, no other claims.
pub struct Users {
    pub db: Db,
}

impl Directory for Users {
    type User = UserRow;
    type Claims = UserClaims;

    async fn find_by_login(&self, login: &str) -> Result<Option<UserRow>, ApiError> {
        let user = store::users::by_email(&self.db, &login.trim().to_lowercase()).await?;
        Ok(user.filter(|u| u.disabled_at.is_none()))
    }

    async fn find_by_subject(&self, subject: &str) -> Result<Option<UserRow>, ApiError> {
        let user = match subject.parse::<UserId>() {
            Ok(id) => store::users::by_id(&self.db, id).await?,
            Err(_) => None,
        };
        Ok(user.filter(|u| u.disabled_at.is_none()))
    }

    fn password_hash(user: &UserRow) -> &str {
        &user.password_hash
    }

    fn subject(user: &UserRow) -> String {
        user.id.to_string()
    }

    fn claims(_: &UserRow) -> UserClaims {
        UserClaims::default()
    }
}

pub async fn user(svc: &Service, id: UserId) -> Result<UserRow, ApiError> {
    store::users::by_id(&svc.db, id)
        .await?
        .ok_or_else(|| ApiError::unauthorized(AuthFailure::Invalid, "사용자가 존재하지 않습니다"))
}

/// `PATCH /users/me`: `profile_image: Some(None)` (JSON `null`) removes the picture.
pub async fn update_profile(
    svc: &Service,
    id: UserId,
    name: Option<&str>,
    profile_image: Option<Option<&str>>,
) -> Result<UserRow, ApiError> {
    let mut errors = FieldErrors::new(&MESSAGES);
    let name = name.map(|n| errors.text("name", n, NAME_MAX));
    let profile_image = profile_image.map(|p| {
        let p = p.map(str::trim).filter(|p| !p.is_empty());
        if let Some(url) = p
            && (url.len() > PROFILE_IMAGE_MAX
                || !(url.starts_with("http://") || url.starts_with("https://")))
        {
            errors.add("profileImage", "http(s) URL이어야 합니다");
        }
        p
    });
    errors.finish()?;
    store::users::update_profile(&svc.db, id, name.as_deref(), profile_image)
        .await?
        .ok_or_else(|| ApiError::unauthorized(AuthFailure::Invalid, "사용자가 존재하지 않습니다"))
}
