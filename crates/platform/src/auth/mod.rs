//! Authentication: bcrypt passwords, HS256 access tokens with typed claims, rotating
//! refresh tokens with reuse detection, the account flow over an app's users, and
//! extractors for handlers.

pub mod accounts;
pub mod extract;
pub mod jwt;
pub mod password;
pub mod refresh;
pub mod revocation;

pub use accounts::{AccountTexts, Accounts, Directory, Session};
pub use extract::{Auth, Authorized, MaybeAuth, NoClaims, Role, Subject};
pub use jwt::{Claims, JwtKeys};
pub use password::Passwords;
pub use refresh::{IssuedRefresh, RefreshTokens};
