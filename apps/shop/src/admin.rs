//! `ondol user ...` for shop: accounts are added (admins only this way), listed,
//! given another role or disabled from the command line.

use chrono::Utc;
use platform::app::{AppContext, BoxError};
use platform::texts::KO;
use platform::validate::Email;
use platform::{NewUser, UserSummary};

use crate::model::Role;
use crate::service::users;
use crate::store;

pub async fn add_user(ctx: &AppContext, user: NewUser) -> Result<(), BoxError> {
    let name = user
        .name
        .as_deref()
        .unwrap_or_else(|| user.login.split('@').next().unwrap_or(user.login.as_str()));
    users::register(
        &ctx.db,
        &ctx.passwords,
        KO,
        users::Registration {
            email: &user.login,
            password: &user.password,
            name,
            role: user.role.as_deref(),
        },
        users::Registrar::Operator,
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
            role: Some(u.role.to_string()),
            detail: u.name,
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at,
        })
        .collect())
}

fn email(login: &str) -> Result<Email, BoxError> {
    Email::parse(login).map_err(|_| format!("{login:?} is not an e-mail address").into())
}

/// The role is in every access token: the user's sessions end, so the next
/// request with an old token is refused and the next login carries the new role.
pub async fn set_role(ctx: &AppContext, login: &str, role: &str) -> Result<(), BoxError> {
    let role: Role = role.parse()?;
    let email = email(login)?;
    let Some(id) = store::users::set_role(&ctx.db, email.as_str(), role).await? else {
        return Err(format!("no user {}", email.as_str()).into());
    };
    ctx.end_sessions(&id.to_string()).await?;
    Ok(())
}

pub async fn disable_user(ctx: &AppContext, login: &str) -> Result<(), BoxError> {
    let email = email(login)?;
    let Some(id) = store::users::disable(&ctx.db, email.as_str(), Utc::now()).await? else {
        return Err(format!("no user {}", email.as_str()).into());
    };
    ctx.end_sessions(&id.to_string()).await?;
    Ok(())
}
