//! One way to convert a public enum to and from its proto twin, so every
//! resource maps its enums the same way (unspecified proto values are
//! `None`).

macro_rules! proto_enum {
    ($public:ident, $proto:ty, { $($variant:ident => $pbv:ident),* $(,)? }) => {
        impl $public {
            /// From the proto enum's number; `None` for unspecified.
            pub fn from_proto(value: i32) -> Option<Self> {
                match <$proto>::try_from(value).ok()? {
                    $(<$proto>::$pbv => Some(Self::$variant),)*
                    _ => None,
                }
            }

            pub fn to_proto(self) -> $proto {
                match self {
                    $(Self::$variant => <$proto>::$pbv,)*
                }
            }
        }
    };
}

pub(crate) use proto_enum;
