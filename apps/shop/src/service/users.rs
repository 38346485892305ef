//! Accounts: registration with the seed's rules (§7.1), and the users as the
//! platform's account flow sees them (login by e-mail, the role in the token).

use chrono::Utc;
use platform::ApiError;
use platform::auth::{AccountTexts, Directory, Passwords};
use platform::db::{Db, is_unique_violation};
use platform::external::mail::Mailer;
use platform::texts::Language;
use platform::validate::{Email, FieldErrors};

use crate::model::{Role, UserClaims, UserId, UserRow};
use crate::store;
use crate::{i18n, mail};

/// Empty: the platform words these failures in the request's language.
pub const TEXTS: AccountTexts = AccountTexts {
    bad_credentials: "",
    user_gone: "",
};

/// Seed §7.1: `^(?=.*[A-Za-z])(?=.*\d)(?=.*[@$!%*#?&])[A-Za-z\d@$!%*#?&]{8,}$`.
pub fn password_ok(password: &str) -> bool {
    const SPECIAL: &str = "@$!%*#?&";
    password.chars().count() >= 8
        && password
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
        && password.chars().any(|c| c.is_ascii_alphabetic())
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| SPECIAL.contains(c))
}

/// What a registration asks for, as typed.
pub struct Registration<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub name: &'a str,
    pub role: Option<&'a str>,
}

/// Who registers: anyone over HTTP (a buyer or a seller), or an operator from the
/// command line (any role, admins included).
#[derive(Clone, Copy)]
pub enum Registrar<'a> {
    /// Welcomed by mail, in the request's language.
    Public {
        welcome: &'a Mailer,
    },
    Operator,
}

/// A new account, `buyer` unless another role is asked for.
pub async fn register(
    db: &Db,
    passwords: &Passwords,
    lang: Language,
    req: Registration<'_>,
    by: Registrar<'_>,
) -> Result<UserRow, ApiError> {
    let Registration {
        email,
        password,
        name,
        role,
    } = req;
    let mut errors = FieldErrors::new(i18n::field_messages(lang));
    let email = match Email::parse(email) {
        Ok(email) => Some(email),
        Err(platform::validate::EmailError::Missing) => {
            errors.add("email", i18n::field_messages(lang).required);
            None
        }
        Err(platform::validate::EmailError::Malformed) => {
            errors.add("email", i18n::EMAIL_INVALID.in_(lang));
            None
        }
    };
    if !password_ok(password) {
        errors.add("password", i18n::PASSWORD_RULE.in_(lang));
    }
    let name = platform::text::trim(name);
    if !(2..=200).contains(&name.chars().count()) {
        errors.add("name", i18n::NAME_LENGTH.in_(lang));
    }
    let role = match role.map(str::parse::<Role>) {
        None => Some(Role::Buyer),
        Some(Ok(Role::Admin)) if matches!(by, Registrar::Public { .. }) => None,
        Some(Ok(role)) => Some(role),
        Some(Err(_)) => None,
    };
    if role.is_none() {
        errors.add("role", i18n::ROLE_CHOICE.in_(lang));
    }
    errors.finish()?;
    let (Some(email), Some(role)) = (email, role) else {
        unreachable!("a missing email or role failed validation above");
    };
    let hash = passwords.hash(password).await?;
    let mut tx = db.begin().await?;
    let user =
        match store::users::insert(&mut tx, email.as_str(), &hash, name, role, Utc::now()).await {
            Ok(user) => user,
            Err(e) if is_unique_violation(&e) => {
                tx.rollback().await?;
                return Err(ApiError::conflict(i18n::EMAIL_TAKEN.in_(lang)));
            }
            Err(e) => return Err(e.into()),
        };
    if let Registrar::Public { welcome } = by {
        welcome
            .queue(&mut tx, &mail::welcome(lang, &email, &user.name))
            .await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// The shop's users as the account flow sees them.
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
        let user = store::users::by_id(&self.db, id).await?;
        Ok(user.filter(|u| u.disabled_at.is_none()))
    }

    fn password_hash(user: &UserRow) -> &str {
        &user.password_hash
    }

    fn subject(user: &UserRow) -> String {
        user.id.to_string()
    }

    fn claims(user: &UserRow) -> UserClaims {
        UserClaims { role: user.role }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_password_rule() {
        for ok in ["abc123!@", "Passw0rd$", "z9&zzzzz"] {
            assert!(password_ok(ok), "{ok}");
        }
        for bad in [
            "abc12345",
            "abcdefg!",
            "1234567!",
            "ab1!",
            "abc123!@ ",
            "abc123!@한",
        ] {
            assert!(!password_ok(bad), "{bad}");
        }
    }
}
