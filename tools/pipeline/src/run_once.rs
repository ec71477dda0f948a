//! `pipeline run`: one job JSON on one input, no servers — MediaConvert's files for a sample or a
//! script (`<out>/<input base>/Default/...`, the destinations moved under the input's base name as the
//! trigger does).
use std::path::PathBuf;

pub const USAGE: &str = "\
usage: pipeline run --input FILE --out DIR [--job FILE] [--dt YYYYMMDDTHHMMSS]

  --input FILE   the source (any file ffmpeg reads)
  --out DIR      the bucket's directory: outputs land in DIR/<input base>/Default/...
  --job FILE     MediaConvert job JSON (default: tests/fixtures/jobs/vod-sample.json, built in)
  --dt STAMP     the $dt$ of segment names (default: now, UTC)
";

pub fn run(args: &[String]) -> Result<(), String> {
    let (mut input, mut out, mut job_file, mut dt) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            print!("{USAGE}");
            return Ok(());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--input" => input = Some(PathBuf::from(value)),
            "--out" => out = Some(PathBuf::from(value)),
            "--job" => job_file = Some(value.clone()),
            "--dt" => dt = Some(value.clone()),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    let input = input.ok_or_else(|| format!("--input is required\n{USAGE}"))?;
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    let (text, name) = match &job_file {
        Some(f) => (
            std::fs::read_to_string(f).map_err(|e| format!("--job {f}: {e}"))?,
            f.clone(),
        ),
        None => (
            crate::DEFAULT_JOB.to_string(),
            "tests/fixtures/jobs/vod-sample.json (built in)".into(),
        ),
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
    let job = crate::mediaconvert::parse_job(&json).map_err(|e| format!("{name}: {e}"))?;
    // The job's own bucket name: its destinations' (all the same bucket in a job the trigger runs).
    let bucket = job
        .groups
        .first()
        .and_then(|g| g.destination.strip_prefix("s3://"))
        .and_then(|d| d.split('/').next())
        .unwrap_or("vod")
        .to_string();
    let base = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{}: no file name", input.display()))?;
    let job = crate::jobs::lambda_destinations(&job, &bucket, &base);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let dt = dt.unwrap_or_else(crate::jobs::dt_now);
    let work = std::env::temp_dir().join(format!("pipeline-run-{}", std::process::id()));
    let ctx = crate::mediaconvert::Context {
        input: &input,
        bucket: &bucket,
        bucket_dir: &out,
        dt: &dt,
        work_dir: &work,
    };
    let result = crate::mediaconvert::run_job(&job, &ctx, &mut |_| {});
    let _ = std::fs::remove_dir_all(&work);
    for key in result.map_err(|e| format!("{}: {e}", input.display()))? {
        println!("{}", out.join(key).display());
    }
    Ok(())
}
