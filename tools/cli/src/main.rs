//! `hlsplay`: the native command-line tool over the player's core.
mod captions;
mod evaluation;
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
                "{USAGE}{}{}{}",
                captions::USAGE,
                peer::USAGE,
                simulate::USAGE
            );
            return ExitCode::SUCCESS;
        }
        "playlist" => playlist::run(rest),
        "bench-playlist" => playlist::bench(rest),
        "remux" => remux::run(rest),
        "captions" => captions::run(rest),
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
