//! Enums stored as text and sent as their seed spelling.

/// Declares an enum whose variants have fixed wire names, with `as_str`, `FromStr`,
/// `TryFrom<String>` (for `#[sqlx(try_from = "String")]`), `Display`, serde, and an
/// OpenAPI schema listing the names.
/// Unknown names are errors listing the allowed ones.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown value `{}`, expected one of: {}",
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl ::std::convert::TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                s.parse()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::openapi::utoipa::PartialSchema for $name {
            fn schema() -> $crate::openapi::utoipa::openapi::RefOr<
                $crate::openapi::utoipa::openapi::schema::Schema,
            > {
                $crate::openapi::string_enum(&[$($text),+])
            }
        }

        impl $crate::openapi::utoipa::ToSchema for $name {}

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// Deserializes a field that distinguishes "absent" (`None`) from "null"
/// (`Some(None)`): use with `#[serde(default, deserialize_with = "...")]`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    crate::text_enum! {
        enum Color { Red = "RED", DarkBlue = "DARK_BLUE" }
    }

    #[test]
    fn names_round_trip_and_unknowns_are_errors() {
        assert_eq!("DARK_BLUE".parse::<Color>(), Ok(Color::DarkBlue));
        assert_eq!(serde_json::to_string(&Color::Red).unwrap(), "\"RED\"");
        let err = serde_json::from_str::<Color>("\"GREEN\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected one of: RED, DARK_BLUE"), "{err}");
        assert_eq!(Color::ALL.len(), 2);
    }
}
