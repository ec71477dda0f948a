//! The agreement vocabulary shared by the playlist and TS checks, and the per-suite table.
//!
//! This file and its siblings use only `hlsplay` and `std`: `tests/peer_*.rs` include them with
//! `#[path]`, so `cargo test` and `hlsplay peer-check` run the same checks.

/// How a case compares with what the peer (its test suite, or ffmpeg for TS) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Same result: both accept (with the same facts) or both refuse.
    Agree,
    /// The peer accepts, we refuse on purpose, with the reason in our table.
    Refused,
    /// The peer refuses, we accept, with the reason in our table.
    Differ,
}

/// One case checked.
#[derive(Debug, Clone)]
pub struct Row {
    /// `playlists/hlsjs`, `ts`.
    pub suite: String,
    pub name: String,
    pub outcome: Outcome,
    /// What we did differs from what our table says we do: a silent difference, a failure.
    pub unexpected: bool,
    /// Our result, and the table's reason for a refusal or difference.
    pub detail: String,
}

/// Per-suite counts, in the order the suites first appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub suite: String,
    pub cases: usize,
    pub agree: usize,
    pub refused: usize,
    pub differ: usize,
    pub unexpected: usize,
}

pub fn tally(rows: &[Row]) -> Vec<Tally> {
    let mut out: Vec<Tally> = Vec::new();
    for row in rows {
        let index = match out.iter().position(|t| t.suite == row.suite) {
            Some(i) => i,
            None => {
                out.push(Tally {
                    suite: row.suite.clone(),
                    ..Tally::default()
                });
                out.len() - 1
            }
        };
        let Some(t) = out.get_mut(index) else {
            continue;
        };
        t.cases += 1;
        if row.unexpected {
            t.unexpected += 1;
            t.differ += 1;
            continue;
        }
        match row.outcome {
            Outcome::Agree => t.agree += 1,
            Outcome::Refused => t.refused += 1,
            Outcome::Differ => t.differ += 1,
        }
    }
    out
}

/// The agreement table as Markdown, then every refusal and difference with its reason.
pub fn report(rows: &[Row]) -> String {
    let mut s = String::from(
        "| peer suite | cases | agree | refused (with a reason) | differ | of which unexpected |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let tallies = tally(rows);
    for t in &tallies {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            t.suite, t.cases, t.agree, t.refused, t.differ, t.unexpected
        ));
    }
    let sum = |f: fn(&Tally) -> usize| tallies.iter().map(f).sum::<usize>();
    s.push_str(&format!(
        "| all | {} | {} | {} | {} | {} |\n",
        sum(|t| t.cases),
        sum(|t| t.agree),
        sum(|t| t.refused),
        sum(|t| t.differ),
        sum(|t| t.unexpected)
    ));
    for (title, pick) in [
        ("Unexpected (fix the code or the table)", 0),
        ("Refused with a reason", 1),
        ("Differ (documented)", 2),
    ] {
        let listed: Vec<&Row> = rows
            .iter()
            .filter(|r| match pick {
                0 => r.unexpected,
                1 => !r.unexpected && r.outcome == Outcome::Refused,
                _ => !r.unexpected && r.outcome == Outcome::Differ,
            })
            .collect();
        if listed.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{title}:\n"));
        for r in listed {
            s.push_str(&format!("- {}/{}: {}\n", r.suite, r.name, r.detail));
        }
    }
    s
}
