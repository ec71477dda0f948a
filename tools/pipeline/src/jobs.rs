//! The trigger and the queue — the Lambda's and MediaConvert's part: an object created under
//! `input/` submits a job from the job template, with each group's destination moved under the
//! input's base name (`s3://bucket/<base>/Default/HLS/`, as the VOD samples' Lambda does); jobs run
//! one at a time on a worker thread; `list` is what `GET /jobs` answers.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::mediaconvert::{self, Job};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Submitted,
    Progressing,
    Complete,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobRecord {
    pub id: String,
    /// `s3://bucket/input/name.mp4`.
    pub input: String,
    pub status: Status,
    pub percent: u8,
    /// Object keys: HLS masters, MP4 files, the first frame capture.
    pub outputs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip)]
    key: String,
}

pub struct Jobs {
    records: Mutex<Vec<JobRecord>>,
    queue: Mutex<Sender<usize>>,
    template: Job,
    bucket: String,
    bucket_dir: PathBuf,
    work_root: PathBuf,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `YYYYMMDDTHHMMSS` (UTC) of now: MediaConvert's `$dt$`.
pub fn dt_now() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut s = crate::presign::amz_date(now);
    s.pop();
    s
}

impl Jobs {
    /// Starts the worker; `submit` (or the watcher) feeds it.
    pub fn start(template: Job, bucket: &str, bucket_dir: &Path, work_root: &Path) -> Arc<Jobs> {
        let (tx, rx) = channel();
        let jobs = Arc::new(Jobs {
            records: Mutex::new(Vec::new()),
            queue: Mutex::new(tx),
            template,
            bucket: bucket.to_string(),
            bucket_dir: bucket_dir.to_path_buf(),
            work_root: work_root.to_path_buf(),
        });
        let worker = jobs.clone();
        std::thread::spawn(move || worker.work(rx));
        jobs
    }

    pub fn list(&self) -> Vec<JobRecord> {
        lock(&self.records).clone()
    }

    /// Submits a job for the object `key` (under the bucket).
    pub fn submit(&self, key: &str) -> String {
        let mut records = lock(&self.records);
        let millis = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let id = format!("{millis}-{:06x}", records.len() + 1);
        records.push(JobRecord {
            id: id.clone(),
            input: format!("s3://{}/{key}", self.bucket),
            status: Status::Submitted,
            percent: 0,
            outputs: Vec::new(),
            error: None,
            key: key.to_string(),
        });
        let index = records.len() - 1;
        drop(records);
        let _ = lock(&self.queue).send(index);
        eprintln!(
            "pipeline: job {id} submitted for s3://{}/{key}",
            self.bucket
        );
        id
    }

    fn update(&self, index: usize, f: impl FnOnce(&mut JobRecord)) {
        if let Some(r) = lock(&self.records).get_mut(index) {
            f(r);
        }
    }

    fn work(&self, rx: Receiver<usize>) {
        while let Ok(index) = rx.recv() {
            let Some(record) = lock(&self.records).get(index).cloned() else {
                continue;
            };
            self.update(index, |r| r.status = Status::Progressing);
            let result = self.run(&record, &mut |p| self.update(index, |r| r.percent = p));
            match result {
                Ok(outputs) => {
                    eprintln!(
                        "pipeline: job {} COMPLETE: {}",
                        record.id,
                        outputs.join(", ")
                    );
                    self.update(index, |r| {
                        r.status = Status::Complete;
                        r.percent = 100;
                        r.outputs = outputs;
                    });
                }
                Err(e) => {
                    eprintln!("pipeline: job {} ERROR: {e}", record.id);
                    self.update(index, |r| {
                        r.status = Status::Error;
                        r.error = Some(e.to_string());
                    });
                }
            }
        }
    }

    fn run(
        &self,
        record: &JobRecord,
        progress: &mut dyn FnMut(u8),
    ) -> Result<Vec<String>, mediaconvert::JobError> {
        let input = self.bucket_dir.join(&record.key);
        let base = input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let job = lambda_destinations(&self.template, &self.bucket, &base);
        let work = self.work_root.join(&record.id);
        std::fs::create_dir_all(&work).map_err(|e| mediaconvert::io(&work, e))?;
        let dt = dt_now();
        let ctx = mediaconvert::Context {
            input: &input,
            bucket: &self.bucket,
            bucket_dir: &self.bucket_dir,
            dt: &dt,
            work_dir: &work,
        };
        let result = mediaconvert::run_job(&job, &ctx, progress);
        let _ = std::fs::remove_dir_all(&work);
        result
    }
}

/// What the VOD samples' Lambda does to the template: every destination becomes
/// `s3://<bucket>/<input base>` + the template destination's path.
pub fn lambda_destinations(template: &Job, bucket: &str, base: &str) -> Job {
    let mut job = template.clone();
    for g in &mut job.groups {
        let rest = g
            .destination
            .strip_prefix("s3://")
            .unwrap_or(&g.destination);
        let path = rest.split_once('/').map_or("", |(_, p)| p);
        g.destination = format!("s3://{bucket}/{base}/{path}");
    }
    job
}

/// Polls `<bucket>/input/` for new or rewritten objects (S3's ObjectCreated events): objects already
/// there when it starts are not jobs.
pub fn watch_inputs(jobs: Arc<Jobs>, every: Duration) {
    std::thread::spawn(move || {
        let dir = jobs.bucket_dir.join("input");
        let mut seen = scan(&dir);
        loop {
            std::thread::sleep(every);
            let now = scan(&dir);
            let mut created: Vec<&PathBuf> = now
                .iter()
                .filter(|(p, v)| seen.get(*p) != Some(v))
                .map(|(p, _)| p)
                .collect();
            created.sort();
            for path in created {
                if let Ok(rel) = path.strip_prefix(&jobs.bucket_dir) {
                    let key = rel.to_string_lossy().replace('\\', "/");
                    jobs.submit(&key);
                }
            }
            seen = now;
        }
    });
}

fn scan(dir: &Path) -> HashMap<PathBuf, (u64, Option<SystemTime>)> {
    let mut out = HashMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(e.path());
            } else if meta.is_file() {
                out.insert(e.path(), (meta.len(), meta.modified().ok()));
            }
        }
    }
    out
}
