//! The JS API's vocabulary, declared once in [`table`]: what the browser layer accepts and hands
//! out (config keys, events, payload fields), the TypeScript of the package's `hlsplay.d.ts`
//! ([`TYPESCRIPT`]) and the README's config table ([`config_markdown`]). Plain Rust, compiled on
//! every target, so the README check is a native test (`tests/api_table.rs`).

#[macro_use]
mod macros;
mod table;

pub use table::{fields, payload, ConfigKey, EventName, RetryKey};
pub use table::{CONFIG_TS, EVENTS_TS, PLAYER_TS, RETRY_TS, SHAPES_TS};

/// One option row: its JS name, TypeScript type, default (as JS) and doc lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionRow {
    pub name: &'static str,
    pub ts: &'static str,
    pub default: &'static str,
    pub doc: &'static [&'static str],
}

impl OptionRow {
    /// The doc lines as one line of text.
    pub fn doc_text(&self) -> String {
        let lines: Vec<&str> = self.doc.iter().map(|l| l.trim()).collect();
        lines.join(" ")
    }
}

/// The field names of a payload object, each followed by `,`; `N` of them (checked where the
/// const is made). One string rather than an array of `&str`: the wasm keeps no pointer table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields<const N: usize>(pub &'static str);

/// How many names a [`Fields`] list holds (its commas).
pub const fn field_count(list: &str) -> usize {
    let (mut rest, mut n) = (list.as_bytes(), 0);
    while let [first, tail @ ..] = rest {
        if *first == b',' {
            n += 1;
        }
        rest = tail;
    }
    n
}

impl<const N: usize> Fields<N> {
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        self.0.split(',').take(N)
    }
}

/// The names of a `NAMES` list (`a, b, c, `).
pub fn names(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.split(',')
        .map(str::trim_start)
        .filter(|n| !n.is_empty())
}

/// The position of `name` in a `NAMES` list. (The list's end, an empty name, is at the length
/// of its enum's `ALL`, which has nothing there.)
pub fn index_of(list: &'static str, name: &str) -> Option<usize> {
    list.split(',').position(|n| n.trim_start() == name)
}

/// The name at `index` in a `NAMES` list.
pub fn name_at(list: &'static str, index: usize) -> &'static str {
    list.split(',').nth(index).map_or("", str::trim_start)
}

/// A `NAMES` list as text for an error message (`a, b, c`).
pub fn known(list: &'static str) -> &'static str {
    list.strip_suffix(", ").unwrap_or(list)
}

/// The package's TypeScript, in the order it is appended to `hlsplay.d.ts`.
pub const TYPESCRIPT: [&str; 5] = [
    table::SHAPES_TS,
    table::RETRY_TS,
    table::CONFIG_TS,
    table::EVENTS_TS,
    table::PLAYER_TS,
];

/// Where the generated table sits in README.md and docs/npm-README.md.
pub const CONFIG_TABLE_BEGIN: &str =
    "<!-- config table: generated from src/api/table.rs; HLSPLAY_WRITE_README=1 cargo test --test api_table -->";
pub const CONFIG_TABLE_END: &str = "<!-- end of config table -->";

/// The README's config tables (the player's keys, then `segmentRetry`/`playlistRetry`'s).
pub fn config_markdown() -> String {
    let mut out = String::new();
    out.push_str("| key | type | default | |\n|---|---|---|---|\n");
    for row in ConfigKey::ROWS {
        push_row(&mut out, row);
    }
    out.push_str("\n`segmentRetry` / `playlistRetry` (`RetryConfig`):\n\n");
    out.push_str("| key | type | default | |\n|---|---|---|---|\n");
    for row in RetryKey::ROWS {
        push_row(&mut out, row);
    }
    out
}

fn push_row(out: &mut String, row: &OptionRow) {
    // `|` inside a cell (TypeScript unions) would end it.
    let cell = |s: &str| s.replace('|', "\\|");
    out.push_str(&format!(
        "| `{}` | `{}` | `{}` | {} |\n",
        row.name,
        cell(row.ts),
        cell(row.default),
        cell(&row.doc_text())
    ));
}

/// `text` with the part between the config table's markers replaced by `table`; `None` when
/// the markers are missing.
pub fn with_config_table(text: &str, table: &str) -> Option<String> {
    let (before, rest) = text.split_once(CONFIG_TABLE_BEGIN)?;
    let (_, after) = rest.split_once(CONFIG_TABLE_END)?;
    Some(format!(
        "{before}{CONFIG_TABLE_BEGIN}\n{table}{CONFIG_TABLE_END}{after}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found_by_name() {
        for list in [ConfigKey::NAMES, RetryKey::NAMES, EventName::NAMES] {
            for (i, name) in names(list).enumerate() {
                assert_eq!(index_of(list, name), Some(i), "{name} twice");
            }
            assert_eq!(index_of(list, ""), Some(names(list).count()), "the end");
            assert!(!known(list).ends_with(','), "{}", known(list));
        }
        assert_eq!(names(ConfigKey::NAMES).count(), ConfigKey::ALL.len());
        assert_eq!(names(EventName::NAMES).count(), EventName::ALL.len());
        assert_eq!(EventName::error.as_str(), "error");
        assert_eq!(
            ConfigKey::from_name("bufferGoal"),
            Some(ConfigKey::bufferGoal)
        );
        assert_eq!(ConfigKey::from_name("buffergoal"), None);
        assert_eq!(ConfigKey::from_name(""), None);
        assert_eq!(EventName::from_name(""), None);
        assert_eq!(
            EventName::from_name("levelSwitched").map(EventName::as_str),
            Some("levelSwitched")
        );
        assert_eq!(EventName::from_name("nope"), None);
    }

    #[test]
    fn every_config_key_is_typed_with_its_default() {
        let ts = table::CONFIG_TS;
        for row in ConfigKey::ROWS.iter().chain(RetryKey::ROWS) {
            let declaration = format!(
                "   * @default {}\n   */\n  {}?: {};\n",
                row.default, row.name, row.ts
            );
            assert!(
                ts.contains(&declaration) || table::RETRY_TS.contains(&declaration),
                "{} is not declared with its default",
                row.name
            );
            assert!(!row.doc.is_empty(), "{} has no doc", row.name);
        }
        assert!(ts.contains("export interface PlayerConfig {"));
    }

    #[test]
    fn every_event_is_in_the_typescript_map() {
        let ts = table::EVENTS_TS;
        for name in names(EventName::NAMES) {
            assert!(ts.contains(&format!("\n  {name}: ")), "{name} missing");
        }
        assert!(ts.contains("    level: number;\n"), "{ts}");
        assert!(ts.contains("  error: PlayerError;\n"), "{ts}");
        let fields: Vec<&str> = payload::levelSwitching.names().collect();
        assert_eq!(fields, ["from", "to", "reason"]);
        assert_eq!(payload::liveEnded.names().count(), 0);
    }

    #[test]
    fn the_shapes_are_exported_interfaces() {
        for name in [
            "Level",
            "AudioTrack",
            "SubtitleTrack",
            "PlayerError",
            "MainThreadCost",
        ] {
            let declaration = format!("export interface {name} {{\n");
            assert!(table::SHAPES_TS.contains(&declaration), "{name}");
        }
        let subtitle: Vec<&str> = fields::SubtitleTrack.names().collect();
        assert_eq!(
            subtitle,
            [
                "id",
                "name",
                "lang",
                "groupId",
                "default",
                "forced",
                "autoselect",
                "kind"
            ]
        );
    }

    #[test]
    fn the_markdown_table_escapes_unions_and_has_a_row_per_key() {
        let md = config_markdown();
        assert!(
            md.contains("| `notFound` | `'penalise' \\| 'penalize' \\| 'skip'` | `'penalise'` |")
        );
        let rows = md.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(rows, ConfigKey::ROWS.len() + RetryKey::ROWS.len());
    }

    #[test]
    fn the_table_replaces_only_between_its_markers() {
        let text = format!("a\n{CONFIG_TABLE_BEGIN}\nold\n{CONFIG_TABLE_END}\nb\n");
        let new = with_config_table(&text, "new\n").unwrap();
        assert_eq!(
            new,
            format!("a\n{CONFIG_TABLE_BEGIN}\nnew\n{CONFIG_TABLE_END}\nb\n")
        );
        assert_eq!(with_config_table("no markers", "x"), None);
    }
}
