//! Accounts: registration, profiles, deletion, and the users as the platform's
//! account flow sees them (login by e-mail).

use chrono::Utc;
use platform::ApiError;
use platform::auth::{AccountTexts, Directory, Passwords};
use platform::db::{Db, is_unique_violation};
use platform::validate::{Email, EmailError, FieldErrors};

use super::Service;
use crate::model::{UserClaims, UserId, UserRow};
use crate::store;
use crate::store::users::ProfileChange;

pub const TEXTS: AccountTexts = AccountTexts {
    bad_credentials: "Incorrect email or password",
    user_gone: "The account no longer exists",
};

/// bcrypt reads at most 72 bytes; a longer password would be silently cut.
const PASSWORD_MAX_BYTES: usize = 72;
const USERNAME_MAX: usize = 30;
const BIO_MAX: usize = 500;

const REQUIRED: &str = "required";

fn errors() -> FieldErrors {
    FieldErrors::new(platform::validate::messages(platform::texts::EN))
}

fn check_username(errors: &mut FieldErrors, username: &str) -> String {
    errors.text("username", username, USERNAME_MAX)
}

/// A new account.
pub async fn register(
    db: &Db,
    passwords: &Passwords,
    email: &str,
    password: &str,
    username: &str,
) -> Result<UserRow, ApiError> {
    let mut errors = errors();
    let email = match Email::parse(email) {
        Ok(email) => Some(email),
        Err(EmailError::Missing) => {
            errors.add("email", REQUIRED);
            None
        }
        Err(EmailError::Malformed) => {
            errors.add("email", "Invalid email format");
            None
        }
    };
    if password.chars().count() < 8 || password.len() > PASSWORD_MAX_BYTES {
        errors.add("password", "at least 8 characters and at most 72 bytes");
    }
    let username = check_username(&mut errors, username);
    errors.finish()?;
    let email = email.expect("a missing or malformed e-mail failed validation above");
    let hash = passwords.hash(password).await?;
    let mut tx = db.begin().await?;
    match store::users::insert(&mut tx, email.as_str(), &hash, &username, Utc::now()).await {
        Ok(user) => {
            tx.commit().await?;
            Ok(user)
        }
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await?;
            Err(ApiError::conflict("This email is already registered"))
        }
        Err(e) => Err(e.into()),
    }
}

/// A profile as the client sent it: `PUT` gives every field (an absent bio is
/// removed), `PATCH` only those to change.
#[derive(Debug, Default)]
pub struct ProfileInput {
    pub username: Option<String>,
    pub bio: Option<Option<String>>,
}

impl Service {
    /// Changes the caller's own profile; `replace` for `PUT`.
    pub async fn update_profile(
        &self,
        caller: UserId,
        target: UserId,
        input: ProfileInput,
        replace: bool,
    ) -> Result<UserRow, ApiError> {
        if caller != target {
            return Err(ApiError::forbidden("You can only change your own account"));
        }
        let mut errors = errors();
        let username = match input.username.as_deref() {
            Some(u) => Some(check_username(&mut errors, u)),
            None if replace => {
                errors.add("username", REQUIRED);
                None
            }
            None => None,
        };
        let bio = match input.bio {
            Some(b) => Some(
                errors
                    .optional("bio", b.as_deref(), BIO_MAX)
                    .filter(|b| !b.is_empty()),
            ),
            None if replace => Some(None),
            None => None,
        };
        if username.is_none() && bio.is_none() {
            errors.add("body", "nothing to change");
        }
        errors.finish()?;
        let change = ProfileChange {
            username: username.as_deref(),
            bio: bio.as_ref().map(|b| b.as_deref()),
        };
        store::users::update_profile(&self.db, caller, &change, Utc::now())
            .await?
            .ok_or_else(|| ApiError::unauthorized(platform::error::AuthFailure::Invalid, ""))
    }

    /// Deletes the caller's own account: they leave every room first (hosts hand
    /// theirs on), then the account and what hangs on it are removed.
    pub async fn delete_user(&self, caller: UserId, target: UserId) -> Result<(), ApiError> {
        if caller != target {
            return Err(ApiError::forbidden("You can only delete your own account"));
        }
        for room in store::rooms::of_user(&self.db, caller).await? {
            self.leave(caller, room.id).await?;
        }
        let mut tx = self.db.begin().await?;
        if !store::users::delete(&mut tx, caller).await? {
            return Err(ApiError::not_found("User not found"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Anyone's profile (disabled accounts are not found).
    pub async fn user(&self, id: UserId) -> Result<UserRow, ApiError> {
        store::users::by_id(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("User not found"))
    }
}

/// The users as the platform's account flow sees them.
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
        Ok(store::users::by_email(&self.db, email.as_str())
            .await?
            .filter(|u| u.disabled_at.is_none()))
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

    fn claims(_user: &UserRow) -> UserClaims {
        UserClaims {}
    }
}
