/// Declares a closed set of named values with their one stable spelling
/// (SCREAMING_SNAKE_CASE, as in GraphQL and in the store) and the conversions
/// to and from it.
macro_rules! named_enum {
    (
        $(#[$doc:meta])*
        $name:ident as $kind:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::DomainError;

            /// Accepts the canonical spelling and its lower-case form (the
            /// import format writes enums in lower snake case).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $(if s.eq_ignore_ascii_case($text) { return Ok($name::$variant); })+
                Err($crate::DomainError::UnknownValue { kind: $kind, value: s.to_owned() })
            }
        }
    };
}

pub(crate) use named_enum;
