//! Newtype ids: one type per kind of row, so that a product id is never passed
//! where an order id is expected.

/// Declares `pub struct $name(pub $inner)` for an id stored as `$inner` (`i64` or
/// `uuid::Uuid`): transparent in JSON and in the database, shown and parsed (after
/// trimming) as the inner value, with an OpenAPI schema. The app needs `serde`,
/// `sqlx` and `utoipa` among its dependencies, as every app has.
#[macro_export]
macro_rules! id {
    ($(#[$meta:meta])* $name:ident($inner:ty)) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub $inner);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = <$inner as ::std::str::FromStr>::Err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map(Self)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::id!(
        /// An id for the tests.
        ThingId(i64)
    );
    crate::id!(OtherId(uuid::Uuid));

    #[test]
    fn ids_read_and_show_as_their_inner_value() {
        assert_eq!(" 42 ".parse::<ThingId>(), Ok(ThingId(42)));
        assert!("4x".parse::<ThingId>().is_err());
        assert_eq!(ThingId(7).to_string(), "7");
        assert_eq!(serde_json::to_string(&ThingId(7)).unwrap(), "7");
        let u = uuid::Uuid::nil();
        assert_eq!(u.to_string().parse::<OtherId>().unwrap(), OtherId(u));
        assert_eq!(
            serde_json::from_str::<OtherId>(&format!("\"{u}\"")).unwrap(),
            OtherId(u)
        );
    }
}
