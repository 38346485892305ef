//! `ondol user ...` for focusmate: accounts are added, listed or disabled from the
//! command line (focusmate has no roles).

use chrono::Utc;
use platform::app::{AppContext, BoxError};
use platform::validate::Email;
use platform::{NewUser, UserSummary};

use crate::service::users;
use crate::store;

pub async fn add_user(ctx: &AppContext, user: NewUser) -> Result<(), BoxError> {
    if user.role.is_some() {
        return Err("focusmate has no roles".into());
    }
    let username = user
        .name
        .as_deref()
        .unwrap_or_else(|| user.login.split('@').next().unwrap_or(user.login.as_str()));
    users::register(
        &ctx.db,
        &ctx.passwords,
        &user.login,
        &user.password,
        username,
    )
    .await
    .map_err(|e| e.for_operator())?;
    Ok(())
}

pub async fn list_users(ctx: &AppContext) -> Result<Vec<UserSummary>, BoxError> {
    Ok(store::users::all(&ctx.db)
        .await?
        .into_iter()
        .map(|u| UserSummary {
            login: u.email,
            role: None,
            detail: u.username,
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at,
        })
        .collect())
}

pub async fn disable_user(ctx: &AppContext, login: &str) -> Result<(), BoxError> {
    let email = Email::parse(login).map_err(|_| format!("not an e-mail address: {login}"))?;
    let Some(id) = store::users::disable(&ctx.db, email.as_str(), Utc::now()).await? else {
        return Err(format!("no user {}", email.as_str()).into());
    };
    ctx.end_sessions(&id.to_string()).await?;
    Ok(())
}
