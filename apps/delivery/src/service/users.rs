//! Delivery's users as the platform's account flow sees them: login by `user_id`,
//! department and role carried in the access token.

use platform::ApiError;
use platform::auth::{AccountTexts, Directory};
use platform::db::Db;

use crate::model::{UserClaims, UserRow};
use crate::store;

pub const TEXTS: AccountTexts = AccountTexts {
    bad_credentials: "아이디 또는 비밀번호가 올바르지 않습니다",
    user_gone: "사용자가 존재하지 않습니다",
};

pub struct Users {
    pub db: Db,
}

impl Directory for Users {
    type User = UserRow;
    type Claims = UserClaims;

    async fn find_by_login(&self, login: &str) -> Result<Option<UserRow>, ApiError> {
        Ok(store::users::get(&self.db, login.trim()).await?)
    }

    async fn find_by_subject(&self, subject: &str) -> Result<Option<UserRow>, ApiError> {
        Ok(store::users::get(&self.db, subject).await?)
    }

    fn password_hash(user: &UserRow) -> &str {
        &user.password
    }

    fn subject(user: &UserRow) -> String {
        user.user_id.clone()
    }

    fn claims(user: &UserRow) -> UserClaims {
        UserClaims {
            department: user.user_department,
            role: user.user_role,
        }
    }
}
