//! The account flow every app has: password login, refresh with rotation and the
//! grace window, logout. An app implements [`Directory`] to find its users (by the
//! login a client types, and by the subject its tokens carry) and to say what its
//! access tokens claim; [`Accounts`] does the rest. The app's handlers only shape
//! their seed's request and reply around it, so a different login field or token
//! body is configuration, not a copy.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use super::{IssuedRefresh, JwtKeys, Passwords, RefreshTokens};
use crate::app::AppContext;
use crate::db::Db;
use crate::error::{ApiError, AuthFailure};

/// Where an app keeps its users.
pub trait Directory: Send + Sync + 'static {
    type User: Send + Sync + 'static;
    /// The app's own access-token claims, beside `sub`.
    type Claims: Serialize + Clone + Send + Sync + 'static;

    /// The user a login (as the client typed it: the app trims and normalises)
    /// names, if any.
    fn find_by_login(
        &self,
        login: &str,
    ) -> impl Future<Output = Result<Option<Self::User>, ApiError>> + Send;

    /// The user a token subject names, if they still exist.
    fn find_by_subject(
        &self,
        subject: &str,
    ) -> impl Future<Output = Result<Option<Self::User>, ApiError>> + Send;

    /// The user's bcrypt hash.
    fn password_hash(user: &Self::User) -> &str;

    /// What the user's tokens carry as `sub`.
    fn subject(user: &Self::User) -> String;

    fn claims(user: &Self::User) -> Self::Claims;
}

/// The app's wording of the two failures a client sees.
#[derive(Debug, Clone, Copy)]
pub struct AccountTexts {
    /// Unknown login or wrong password (the same message for both).
    pub bad_credentials: &'static str,
    /// A refresh token whose user no longer exists.
    pub user_gone: &'static str,
}

/// A signed-in user with a fresh token pair.
#[derive(Debug)]
pub struct Session<U> {
    pub user: U,
    pub access_token: String,
    pub refresh_token: String,
    /// The access token's lifetime.
    pub expires_in: Duration,
}

/// Login, refresh and logout over an app's [`Directory`].
pub struct Accounts<D: Directory> {
    directory: D,
    jwt: JwtKeys,
    refresh: RefreshTokens,
    passwords: Passwords,
    texts: AccountTexts,
    db: Db,
}

impl<D: Directory> Accounts<D> {
    /// The app's token keys, refresh tokens and password hashing, from its context.
    pub fn new(ctx: &AppContext, directory: D, texts: AccountTexts) -> Self {
        Self {
            directory,
            jwt: ctx.jwt.clone(),
            refresh: ctx.refresh_tokens(),
            passwords: ctx.passwords.clone(),
            texts,
            db: ctx.db.clone(),
        }
    }

    pub fn directory(&self) -> &D {
        &self.directory
    }

    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// The user with this login and password, with a new session. An unknown login
    /// costs the same bcrypt work as a wrong password and gets the same answer.
    pub async fn login(&self, login: &str, password: &str) -> Result<Session<D::User>, ApiError> {
        let user = self.directory.find_by_login(login).await?;
        let verified = self
            .passwords
            .verify(password, user.as_ref().map(D::password_hash))
            .await?;
        let Some(user) = user.filter(|_| verified) else {
            tracing::info!("login failed");
            return Err(ApiError::unauthorized(
                AuthFailure::BadCredentials,
                self.texts.bad_credentials,
            ));
        };
        let session = self.start(user).await?;
        tracing::info!(user = %D::subject(&session.user), "login");
        Ok(session)
    }

    /// A new session (a new refresh-token family) for a user the app vouches for,
    /// e.g. right after sign-up.
    pub async fn start(&self, user: D::User) -> Result<Session<D::User>, ApiError> {
        let refresh = self.refresh.issue(&D::subject(&user)).await?;
        self.session(user, refresh).await
    }

    /// Exchanges a refresh token for a new pair (rotation; a reuse after the grace
    /// window revokes the family). A user who no longer exists ends the session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session<D::User>, ApiError> {
        let issued = self.refresh.rotate(refresh_token.trim()).await?;
        let Some(user) = self.directory.find_by_subject(&issued.subject).await? else {
            self.refresh.revoke(&issued.token).await?;
            return Err(ApiError::unauthorized(
                AuthFailure::Invalid,
                self.texts.user_gone,
            ));
        };
        tracing::info!(user = %issued.subject, "token refreshed");
        self.session(user, issued).await
    }

    /// Ends the session of `refresh_token` if it belongs to `subject` (the caller);
    /// anyone else's token, or an unknown one, is left alone.
    pub async fn logout(&self, subject: &str, refresh_token: &str) -> Result<(), ApiError> {
        let token = refresh_token.trim();
        if self.refresh.subject_of(token).await?.as_deref() == Some(subject) {
            self.refresh.revoke(token).await?;
        }
        tracing::info!(user = %subject, "logout");
        Ok(())
    }

    async fn session(
        &self,
        user: D::User,
        refresh: IssuedRefresh,
    ) -> Result<Session<D::User>, ApiError> {
        let subject = D::subject(&user);
        // From the database: a revocation made a moment ago by another process
        // may not have reached this instance's copy yet.
        let version = super::revocation::current(&self.db, &subject).await?;
        let (access_token, _) = self.jwt.issue_at(&subject, version, D::claims(&user))?;
        Ok(Session {
            user,
            access_token,
            refresh_token: refresh.token,
            expires_in: self.jwt.ttl(),
        })
    }
}
