//! The MediaConvert job emulator: job JSON in (`settings`), ffmpeg does the encoding (`ffmpeg`), the
//! files land with MediaConvert's names and playlist text (`hls`, `file`, `playlist`).
pub mod cmaf;
pub mod ffmpeg;
pub mod file;
pub mod hls;
pub mod playlist;
pub mod reader;
pub mod settings;

use std::path::{Path, PathBuf};

pub use reader::SettingsError;
pub use settings::{parse_job, Job};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// ffmpeg's (or ffprobe's) own reason.
    #[error("{0}")]
    Ffmpeg(String),
    #[error("{0}")]
    Io(String),
}

pub fn io(what: &Path, e: std::io::Error) -> JobError {
    JobError::Io(format!("{}: {e}", what.display()))
}

/// Moves ffmpeg's file `from` to its MediaConvert name `to` (a copy across file systems) and
/// returns its size.
pub fn move_output(from: &Path, to: &Path) -> Result<u64, JobError> {
    std::fs::rename(from, to)
        .or_else(|_| std::fs::copy(from, to).map(|_| ()))
        .map_err(|e| io(to, e))?;
    Ok(std::fs::metadata(to).map_err(|e| io(to, e))?.len())
}

/// Where a job runs: the input file, and the bucket its destinations name.
pub struct Context<'a> {
    pub input: &'a Path,
    pub bucket: &'a str,
    pub bucket_dir: &'a Path,
    /// `$dt$`: `YYYYMMDDTHHMMSS` (UTC).
    pub dt: &'a str,
    /// Scratch space for ffmpeg's own names.
    pub work_dir: &'a Path,
}

impl Context<'_> {
    /// The input's base name (MediaConvert names outputs after it).
    pub fn input_base(&self) -> String {
        self.input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into())
    }

    /// A destination `s3://bucket/prefix/[name]` → the directory and the base name of the files.
    pub fn destination(
        &self,
        group: &settings::Group,
    ) -> Result<(PathBuf, String, String), JobError> {
        let at = format!("{}.OutputGroupSettings.Destination", group.path);
        let rest = group
            .destination
            .strip_prefix("s3://")
            .unwrap_or(&group.destination);
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket != self.bucket {
            return Err(reader::err(
                &at,
                format!(
                    "bucket {bucket} is not this endpoint's bucket ({})",
                    self.bucket
                ),
            )
            .into());
        }
        let (prefix, name) = match key.rsplit_once('/') {
            Some((p, n)) => (p.to_string(), n.to_string()),
            None => (String::new(), key.to_string()),
        };
        if prefix.split('/').any(|p| p == ".." || p == ".") {
            return Err(reader::err(&at, "`.` and `..` are not key segments here").into());
        }
        let base = if name.is_empty() {
            self.input_base()
        } else {
            name
        };
        let dir = self.bucket_dir.join(&prefix);
        let key_prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        Ok((dir, base, key_prefix))
    }
}

/// Runs every output group; returns the keys of what a player or a page opens first (HLS masters,
/// MP4 files, the first frame capture). `progress` gets 0..=100.
pub fn run_job(
    job: &Job,
    ctx: &Context,
    progress: &mut dyn FnMut(u8),
) -> Result<Vec<String>, JobError> {
    let probe = ffmpeg::probe(ctx.input)?;
    // Every ffmpeg run is one step of the job's progress.
    let steps: usize = job
        .groups
        .iter()
        .map(|g| match g.kind {
            settings::GroupKind::Hls(_) | settings::GroupKind::Cmaf(_) => 1,
            settings::GroupKind::File => g.outputs.len(),
        })
        .sum();
    let mut done = 0usize;
    let mut outputs = Vec::new();
    for group in &job.groups {
        let (dir, base, key_prefix) = ctx.destination(group)?;
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let mut step = |n: usize, f: f64| {
            let total = (done + n) as f64 + f;
            progress(
                ((total / steps.max(1) as f64) * 100.0)
                    .floor()
                    .clamp(0.0, 99.0) as u8,
            );
        };
        match &group.kind {
            settings::GroupKind::Hls(hls) => {
                let master = hls::run(group, hls, ctx, &probe, &dir, &base, &mut |f| step(0, f))?;
                outputs.push(format!("{key_prefix}{master}"));
                done += 1;
            }
            settings::GroupKind::Cmaf(cmaf) => {
                let master = cmaf::run(group, cmaf, ctx, &probe, &dir, &base, &mut |f| step(0, f))?;
                outputs.push(format!("{key_prefix}{master}"));
                done += 1;
            }
            settings::GroupKind::File => {
                for (i, out) in group.outputs.iter().enumerate() {
                    let name = file::run(out, ctx, &probe, &dir, &base, &mut |f| step(i, f))?;
                    outputs.push(format!("{key_prefix}{name}"));
                }
                done += group.outputs.len();
            }
        }
    }
    progress(100);
    Ok(outputs)
}
