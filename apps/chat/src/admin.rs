//! `ondol user ...` for chat: accounts are added (as a sign-up would), listed and
//! disabled from the command line. Chat has no roles.

use chrono::Utc;
use platform::app::{AppContext, BoxError};
use platform::{NewUser, UserSummary};

use crate::service::accounts;
use crate::store;

pub async fn add_user(ctx: &AppContext, user: NewUser) -> Result<(), BoxError> {
    let name = user
        .name
        .as_deref()
        .unwrap_or_else(|| user.login.split('@').next().unwrap_or(user.login.as_str()));
    accounts::sign_up(&ctx.db, &ctx.passwords, &user.login, &user.password, name)
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
            detail: u.name,
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at,
        })
        .collect())
}

pub async fn disable_user(ctx: &AppContext, login: &str) -> Result<(), BoxError> {
    let email = login.trim().to_lowercase();
    let Some(id) = store::users::disable(&ctx.db, &email, Utc::now()).await? else {
        return Err(format!("no user {email}").into());
    };
    ctx.end_sessions(&id.to_string()).await?;
    Ok(())
}
