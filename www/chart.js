// A small canvas chart of the last WINDOW seconds: bandwidth estimate and selected bitrate (Mbps, left
// axis) and the forward buffer (seconds, right axis). No dependency; redrawn on every sample.

const WINDOW = 120; // seconds of history shown
const MAX_SAMPLES = 1000; // bounded memory whatever the sampling rate

export const COLORS = { bw: '#3b82f6', level: '#f59e0b', buffer: '#10b981' };

export class Chart {
  constructor(canvas) {
    this.canvas = canvas;
    this.samples = []; // { t (s), bw (bps), bitrate (bps|null), buffer (s) }
    this.bufferGoal = 30;
    this.topBitrate = 0; // the ladder's top, bits/s: caps the left axis so the levels stay readable
    // The canvas is sized from CSS width; redraw when the layout changes.
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  push(sample) {
    this.samples.push(sample);
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
    this.draw();
  }

  clear() {
    this.samples = [];
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssW = c.clientWidth || 300;
    const cssH = c.clientHeight || 200;
    if (c.width !== Math.round(cssW * dpr) || c.height !== Math.round(cssH * dpr)) {
      c.width = Math.round(cssW * dpr);
      c.height = Math.round(cssH * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);

    const pad = { l: 34, r: 30, t: 8, b: 18 };
    const w = Math.max(10, cssW - pad.l - pad.r);
    const h = Math.max(10, cssH - pad.t - pad.b);
    const now = this.samples.length ? this.samples[this.samples.length - 1].t : 0;
    const t0 = Math.max(0, now - WINDOW);
    const shown = this.samples.filter((s) => s.t >= t0);

    let maxMbps = 1;
    for (const s of shown) maxMbps = Math.max(maxMbps, s.bw / 1e6, (s.bitrate || 0) / 1e6);
    // An unthrottled localhost measures hundreds of Mbps: the axis stops at 2.5x the top level and
    // the estimate is drawn clipped, with its value written in the corner.
    if (this.topBitrate > 0) maxMbps = Math.min(maxMbps, (this.topBitrate * 2.5) / 1e6);
    maxMbps = 4 * niceCeil((maxMbps * 1.1) / 4);
    let maxBuf = Math.max(10, this.bufferGoal);
    for (const s of shown) maxBuf = Math.max(maxBuf, s.buffer);
    maxBuf = 4 * niceCeil((maxBuf * 1.05) / 4); // four grid steps of round values

    const x = (t) => pad.l + ((t - t0) / WINDOW) * w;
    const yL = (mbps) => pad.t + h - (Math.min(mbps, maxMbps) / maxMbps) * h;
    const yR = (sec) => pad.t + h - (Math.min(sec, maxBuf) / maxBuf) * h;

    // Grid and axes labels.
    const style = getComputedStyle(c);
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = style.color || '#888';
    g.strokeStyle = 'rgba(127,127,127,0.25)';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const yy = pad.t + (h * i) / 4;
      g.beginPath();
      g.moveTo(pad.l, Math.round(yy) + 0.5);
      g.lineTo(pad.l + w, Math.round(yy) + 0.5);
      g.stroke();
      g.textAlign = 'right';
      g.fillText(fmt(maxMbps * (1 - i / 4)), pad.l - 4, yy + 4);
      g.textAlign = 'left';
      g.fillText(`${fmt(maxBuf * (1 - i / 4))}s`, pad.l + w + 3, yy + 4);
    }
    g.textAlign = 'center';
    for (let s = Math.ceil(t0 / 30) * 30; s <= t0 + WINDOW; s += 30) {
      g.fillText(`${Math.round(s)}s`, x(s), pad.t + h + 14);
    }
    if (!shown.length) {
      g.fillText('waiting for data…', pad.l + w / 2, pad.t + h / 2);
      return;
    }

    const line = (color, pick, y, step) => {
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      let started = false;
      let prevY = 0;
      for (const s of shown) {
        const v = pick(s);
        if (v == null || !Number.isFinite(v)) { started = false; continue; }
        const px = x(s.t);
        const py = y(v);
        if (!started) g.moveTo(px, py);
        else if (step) { g.lineTo(px, prevY); g.lineTo(px, py); } else g.lineTo(px, py);
        started = true;
        prevY = py;
      }
      g.stroke();
    };
    line(COLORS.buffer, (s) => s.buffer, yR, false);
    line(COLORS.level, (s) => (s.bitrate == null ? null : s.bitrate / 1e6), yL, true);
    line(COLORS.bw, (s) => (s.bw > 0 ? s.bw / 1e6 : null), yL, false);
    const last = shown[shown.length - 1];
    if (last.bw / 1e6 > maxMbps) {
      g.fillStyle = COLORS.bw;
      g.textAlign = 'right';
      g.fillText(`estimate ${fmt(last.bw / 1e6)} Mbps ↑`, pad.l + w - 4, pad.t + 12);
    }
  }
}

function niceCeil(v) {
  const steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const s of steps) if (s * p >= v) return s * p;
  return 10 * p;
}

function fmt(v) {
  return v >= 10 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}
