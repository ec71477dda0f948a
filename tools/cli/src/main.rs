//! `hlsplay`: the native command-line tool over the player's core.
mod captions;
// Shared with the integration tests by `#[path]`: they use the parts the CLI does not, and the
// root crate's MSRV (1.81) has neither `is_multiple_of` nor `repeat_n`.
#[allow(dead_code, clippy::manual_is_multiple_of)]
mod cea608_encoder;
mod cea608_inject;
mod evaluation;
#[allow(dead_code, clippy::manual_repeat_n)]
mod mpegts_writer;
mod remux;

use std::process::ExitCode;

mod peer;
mod playlist;
mod simulate;

const USAGE: &str = "usage: hlsplay <command> [args]\n\ncommands:\n  playlist <file-or-url> [--base-url URL]   print the parsed playlist as JSON\n  remux SEG.ts [SEG.ts ...] -o OUT.mp4      remux consecutive TS segments to fragmented MP4\n";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "-h" | "--help" | "help" => {
            print!(
                "{USAGE}{}{}{}{}",
                captions::USAGE,
                cea608_inject::USAGE,
                peer::USAGE,
                simulate::USAGE
            );
            return ExitCode::SUCCESS;
        }
        "playlist" => playlist::run(rest),
        "bench-playlist" => playlist::bench(rest),
        "remux" => remux::run(rest),
        "captions" => captions::run(rest),
        "inject-608" => cea608_inject::run(rest),
        "simulate" => simulate::run(rest),
        "peer-check" => peer::run(rest),
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    let _ = rest;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hlsplay: {message}");
            ExitCode::from(2)
        }
    }
}
