//! `ondol user ...` for reviews: accounts are added, listed or disabled from the
//! command line (reviews has no roles).

use chrono::Utc;
use platform::app::{AppContext, BoxError};
use platform::texts::KO;
use platform::validate::Email;
use platform::{NewUser, UserSummary};

use crate::service::users;
use crate::store;

pub async fn add_user(ctx: &AppContext, user: NewUser) -> Result<(), BoxError> {
    if user.role.is_some() {
        return Err("reviews has no roles".into());
    }
    let nickname = user
        .name
        .as_deref()
        .unwrap_or_else(|| user.login.split('@').next().unwrap_or(user.login.as_str()));
    users::signup(
        &ctx.db,
        &ctx.passwords,
        KO,
        &user.login,
        &user.password,
        nickname,
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
            detail: u.nickname,
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
