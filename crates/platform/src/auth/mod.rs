//! Authentication: bcrypt passwords, HS256 access tokens with typed claims, rotating
//! refresh tokens with reuse detection, and extractors for handlers.

pub mod extract;
pub mod jwt;
pub mod password;
pub mod refresh;

pub use extract::{Auth, Authorized, Role};
pub use jwt::{Claims, JwtKeys};
pub use password::Passwords;
pub use refresh::{IssuedRefresh, RefreshTokens};
