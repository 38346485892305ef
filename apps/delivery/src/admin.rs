//! `ondol user ...` for delivery: users are added, listed, given another role or
//! disabled from the command line (the seed has no sign-up).

use platform::app::{AppContext, BoxError};
use platform::db::is_unique_violation;
use platform::{NewUser, UserSummary};

use crate::model::{Department, Role};
use crate::store;

pub async fn add_user(ctx: &AppContext, user: NewUser) -> Result<(), BoxError> {
    let user_id = user.login.trim();
    if user_id.is_empty() || user_id.len() > 50 || platform::text::forbidden_in(user_id).is_some() {
        return Err("user_id must be 1-50 characters of text".into());
    }
    if user.password.len() < 4 {
        return Err("password must be at least 4 characters".into());
    }
    let department: Department = user
        .department
        .as_deref()
        .ok_or("--department is required (CS, HES or LENOVO)")?
        .parse()?;
    let role: Role = user.role.as_deref().unwrap_or("USER").parse()?;
    let hash = ctx.passwords.hash(&user.password).await?;
    match store::users::insert(&ctx.db, user_id, &hash, department, role).await {
        Err(e) if is_unique_violation(&e) => Err(format!(
            "user {user_id} already exists; change it with `ondol user set-role` or `ondol user disable`"
        )
        .into()),
        other => Ok(other?),
    }
}

pub async fn list_users(ctx: &AppContext) -> Result<Vec<UserSummary>, BoxError> {
    Ok(store::users::all(&ctx.db)
        .await?
        .into_iter()
        .map(
            |(login, department, role, disabled_at, created_at)| UserSummary {
                login,
                role: Some(role),
                detail: department,
                disabled: disabled_at.is_some(),
                created_at,
            },
        )
        .collect())
}

/// The role is in every access token: the user's sessions end, so the next
/// request with an old token is refused and the next login carries the new role.
pub async fn set_role(ctx: &AppContext, login: &str, role: &str) -> Result<(), BoxError> {
    let role: Role = role.parse()?;
    if !store::users::set_role(&ctx.db, login, role).await? {
        return Err(format!("no user {login}").into());
    }
    ctx.end_sessions(login).await?;
    Ok(())
}

pub async fn disable_user(ctx: &AppContext, login: &str) -> Result<(), BoxError> {
    if !store::users::disable(&ctx.db, login).await? {
        return Err(format!("no user {login}").into());
    }
    ctx.end_sessions(login).await?;
    Ok(())
}
