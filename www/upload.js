// The pipeline panel, shown when the app side is tools/pipeline (scripts/demo.sh): drop an mp4 →
// the app mints a presigned PUT (POST /upload-url) → the browser PUTs it to the local S3 endpoint
// under input/ with a progress bar → the trigger starts the MediaConvert job → GET /jobs shows its
// progress → a finished job's HLS master plays through the local CloudFront like any source.

/** The CDN origin the demo uses (same rule as demo.js: `?cdn=PORT|ORIGIN`, default port 9090). */
export function cdnOrigin(loc, params) {
  const host = loc.hostname || 'localhost';
  const proto = loc.protocol === 'https:' ? 'https:' : 'http:';
  const c = params.get('cdn');
  if (!c) return `${proto}//${host}:9090`;
  if (/^\d+$/.test(c)) return `${proto}//${host}:${c}`;
  try {
    return new URL(c).origin;
  } catch {
    return `${proto}//${host}:9090`;
  }
}

/** A job's line: `upload.mp4 — PROGRESSING 42%` (ERROR: with its reason). */
export function jobText(job) {
  const name = job.input.split('/').pop();
  if (job.status === 'ERROR') return `${name} — ERROR: ${job.error || 'failed'}`;
  if (job.status === 'COMPLETE') return `${name} — COMPLETE`;
  return `${name} — ${job.status} ${job.percent}%`;
}

/** The master playlists among a job's outputs, as CDN URLs. */
export const playableOutputs = (job, cdn) => job.outputs.filter((k) => k.endsWith('.m3u8')).map((k) => `${cdn}/${k}`);

function setup() {
  const panel = document.getElementById('pipeline-panel');
  if (!panel) return;
  const cdn = cdnOrigin(location, new URLSearchParams(location.search));
  const $ = (id) => document.getElementById(id);
  const progress = $('upload-progress');
  const status = $('upload-status');
  const list = $('jobs');
  let shown = '';

  function play(url) {
    $('src').value = url;
    $('source-form').requestSubmit();
  }

  function render(jobs) {
    const key = JSON.stringify(jobs);
    if (key === shown) return;
    shown = key;
    list.replaceChildren(...jobs.slice().reverse().map((job) => {
      const li = document.createElement('li');
      li.className = job.status === 'ERROR' ? 'warn' : job.status === 'COMPLETE' ? 'good' : '';
      li.append(jobText(job));
      if (job.status === 'PROGRESSING' || job.status === 'SUBMITTED') {
        const bar = document.createElement('progress');
        bar.max = 100;
        bar.value = job.percent;
        li.append(' ', bar);
      }
      for (const url of playableOutputs(job, cdn)) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary';
        b.textContent = 'Play';
        b.title = url;
        b.addEventListener('click', () => play(url));
        li.append(' ', b);
      }
      return li;
    }));
  }

  async function poll() {
    let r;
    try {
      r = await fetch('/jobs', { cache: 'no-store' });
    } catch {
      setTimeout(poll, 3000);
      return;
    }
    // A plain devcdn app side has no pipeline: the panel stays hidden.
    if (r.status === 404) return;
    panel.hidden = false;
    if (r.ok) render(await r.json());
    setTimeout(poll, 1000);
  }

  async function upload(file) {
    status.textContent = `asking for an upload URL for ${file.name}…`;
    const r = await fetch(`/upload-url?name=${encodeURIComponent(file.name)}`, { method: 'POST' });
    const grant = await r.json();
    if (!r.ok) {
      status.textContent = `upload refused: ${grant.error || r.status}`;
      return;
    }
    progress.hidden = false;
    progress.value = 0;
    // XMLHttpRequest: fetch reports no upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open(grant.method, grant.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        progress.value = e.loaded / e.total;
        status.textContent = `uploading ${file.name}: ${Math.round((100 * e.loaded) / e.total)}%`;
      }
    };
    xhr.onload = () => {
      progress.hidden = true;
      status.textContent = xhr.status === 200
        ? `uploaded to s3://vod/${grant.key}: the job starts`
        : `upload failed: ${xhr.status} ${(xhr.responseText.match(/<Code>(\w+)<\/Code>/) || [])[1] || ''}`;
    };
    xhr.onerror = () => {
      progress.hidden = true;
      status.textContent = 'upload failed: the S3 endpoint did not answer (is it running? CORS?)';
    };
    xhr.send(file);
  }

  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) upload(file);
  });
  $('upload-file').addEventListener('change', (e) => {
    const file = e.target.files[0];
    if (file) upload(file);
  });
  poll();
}

if (typeof document !== 'undefined') setup();
