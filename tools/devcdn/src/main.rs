//! `devcdn`: the local CloudFront (default) or `devcdn sign` (the signer).
use std::process::ExitCode;

use devcdn::config::{Config, SignArgs, USAGE};
use devcdn::sign::{signed_cookies, signed_url};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("sign") => sign(args.get(1..).unwrap_or(&[])),
        _ => serve(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("devcdn: {message}");
            ExitCode::from(2)
        }
    }
}

fn sign(args: &[String]) -> Result<(), String> {
    let a = SignArgs::from_args(args).map_err(|e| format!("{e}\n{USAGE}"))?;
    match &a.url {
        Some(url) => {
            let signed =
                signed_url(&a.key, &a.key_pair_id, url, &a.grant).map_err(|e| e.to_string())?;
            println!("{signed}");
        }
        None => {
            for (name, value) in
                signed_cookies(&a.key, &a.key_pair_id, &a.grant).map_err(|e| e.to_string())?
            {
                println!("{name}={value}");
            }
        }
    }
    Ok(())
}

fn serve(args: &[String]) -> Result<(), String> {
    let cfg = Config::from_args(args).map_err(|e| format!("{e}\n{USAGE}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async move {
        let root = cfg.root.display().to_string();
        let running = devcdn::start(cfg).await.map_err(|e| e.to_string())?;
        eprintln!("devcdn: CDN  http://{} serving {root}", running.cdn_addr);
        if let Some(app) = running.app_addr {
            eprintln!("devcdn: app  http://{app} (GET /auth/cookies mints the signed cookies)");
        }
        eprintln!(
            "devcdn: control http://{}/__devcdn/status",
            running.cdn_addr
        );
        tokio::select! {
            () = running.wait() => {}
            r = tokio::signal::ctrl_c() => { r.map_err(|e| e.to_string())?; }
        }
        Ok(())
    })
}
