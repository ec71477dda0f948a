//! The macros the table is written in. Each row is read once and expands to what the runtime
//! needs (an enum of the names, the name list for "unknown … (known: …)" errors, the field names
//! of a payload object), the TypeScript text of the package's `.d.ts`, and the rows the README
//! table is rendered from. `concat!` builds the TypeScript at compile time, so the text is a
//! `&'static str` wasm-bindgen can put in its custom section (and strips from the wasm).

/// Option keys of a config object: `enum Name;` (one variant per key), `interface Name;` (its
/// TypeScript interface, every key optional), then rows `/// doc` `key: "ts type" = "default";`.
/// Every row states its default: the TypeScript carries it as `@default`.
macro_rules! options {
    (
        $(#[doc = $idoc:literal])+
        enum $enum:ident; interface $iface:ident; ts $ts:ident;
        $( $(#[doc = $doc:literal])+ $name:ident : $ty:literal = $default:literal ; )+
    ) => {
        $(#[doc = $idoc])+
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $enum { $( $(#[doc = $doc])+ $name ),+ }

        impl $enum {
            pub const ALL: &'static [$enum] = &[$($enum::$name),+];
            /// The JS names in table order, each followed by `, ` (see [`crate::api::names`]).
            pub const NAMES: &'static str = concat!($(stringify!($name), ", "),+);
            /// The rows, for documentation (the README table, the tests).
            pub const ROWS: &'static [$crate::api::OptionRow] = &[$(
                $crate::api::OptionRow {
                    name: stringify!($name),
                    ts: $ty,
                    default: $default,
                    doc: &[$($doc),+],
                }
            ),+];

            pub fn from_name(name: &str) -> Option<$enum> {
                Self::ALL.get($crate::api::index_of(Self::NAMES, name)?).copied()
            }
        }

        /// The TypeScript interface of these keys.
        pub const $ts: &str = concat!(
            "\n",
            "/**\n", $(" *", $idoc, "\n",)+ " */\n",
            "export interface ", stringify!($iface), " {\n",
            $(
                "  /**\n",
                $("   *", $doc, "\n",)+
                "   * @default ", $default, "\n",
                "   */\n",
                "  ", stringify!($name), "?: ", $ty, ";\n",
            )+
            "}\n",
        );
    };
}

/// Plain-object shapes the player hands out: rows `/// doc` `Name { /// doc` `field: "ts type",
/// … }` give `fields::Name` (the field names, in the order the runtime fills them) and the
/// TypeScript interfaces. Field docs are one line each.
macro_rules! shapes {
    (
        ts $ts:ident;
        $(
            $(#[doc = $doc:literal])+
            $name:ident { $( $(#[doc = $fdoc:literal])* $field:ident : $fty:literal ),* $(,)? }
        )+
    ) => {
        /// The field names of each shape, in the order the runtime fills them.
        #[allow(non_upper_case_globals)]
        pub mod fields {
            use $crate::api::{field_count, Fields};
            $(
                pub const $name: Fields<{ field_count(concat!($(stringify!($field), ","),*)) }> =
                    Fields(concat!($(stringify!($field), ","),*));
            )+
        }

        /// The TypeScript interfaces of these shapes.
        pub const $ts: &str = concat!(
            $(
                "\n/**\n", $(" *", $doc, "\n",)+ " */\n",
                "export interface ", stringify!($name), " {\n",
                $(
                    $("  /**", $fdoc, " */\n",)*
                    "  ", stringify!($field), ": ", $fty, ";\n",
                )*
                "}\n",
            )+
        );
    };
}

/// The events: rows `/// doc` `name { /// doc` `field: "ts type", … }` (the payload's fields)
/// under `fields:`, and `/// doc` `name: "TsType";` (a payload that is one of the shapes) under
/// `typed:`. Gives `EventName` (with `NAMES`), `payload::name` (the field names in the order the
/// runtime fills them) and the TypeScript `PlayerEvents` map, name → payload.
macro_rules! events {
    (
        ts $ts:ident;
        fields: {
            $(
                $(#[doc = $doc:literal])+
                $name:ident { $( $(#[doc = $fdoc:literal])* $field:ident : $fty:literal ),* $(,)? }
            )+
        }
        typed: {
            $( $(#[doc = $tdoc:literal])+ $tname:ident : $tty:literal ; )+
        }
    ) => {
        /// An event the app can subscribe to (`player.on(name, …)`).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum EventName { $( $(#[doc = $doc])+ $name, )+ $( $(#[doc = $tdoc])+ $tname, )+ }

        impl EventName {
            pub const ALL: &'static [EventName] =
                &[$(EventName::$name,)+ $(EventName::$tname,)+];
            /// The JS names in table order, each followed by `, ` (see [`crate::api::names`]).
            pub const NAMES: &'static str =
                concat!($(stringify!($name), ", ",)+ $(stringify!($tname), ", ",)+);

            pub fn from_name(name: &str) -> Option<EventName> {
                Self::ALL.get($crate::api::index_of(Self::NAMES, name)?).copied()
            }

            pub fn as_str(self) -> &'static str {
                $crate::api::name_at(Self::NAMES, self as usize)
            }
        }

        /// The field names of each event's payload, in the order the runtime fills them.
        #[allow(non_upper_case_globals)]
        pub mod payload {
            use $crate::api::{field_count, Fields};
            $(
                pub const $name: Fields<{ field_count(concat!($(stringify!($field), ","),*)) }> =
                    Fields(concat!($(stringify!($field), ","),*));
            )+
        }

        /// The TypeScript map of event name → payload.
        pub const $ts: &str = concat!(
            "\n/**\n",
            " * Every event `player.on(name, callback)` accepts, and the payload its callback gets.\n",
            " */\n",
            "export interface PlayerEvents {\n",
            $(
                "  /**\n", $("   *", $doc, "\n",)+ "   */\n",
                "  ", stringify!($name), ": {\n",
                $(
                    $("    /**", $fdoc, " */\n",)*
                    "    ", stringify!($field), ": ", $fty, ";\n",
                )*
                "  };\n",
            )+
            $(
                "  /**\n", $("   *", $tdoc, "\n",)+ "   */\n",
                "  ", stringify!($tname), ": ", $tty, ";\n",
            )+
            "}\n",
        );
    };
}
