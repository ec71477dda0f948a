// Client of devcdn's control endpoint (the local CloudFront): throttle, faults, clock, request log.
// Every request is a CORS "simple" one (GET, or POST of text) so no preflight is needed; the control
// endpoint never needs cookies.

export class DevCdn {
  constructor(origin) {
    this.origin = origin;
    this.logSeq = 0;
  }

  /** The status JSON, or null when `origin` is not a devcdn (a real CloudFront, or down). */
  async status() {
    try {
      const r = await fetch(`${this.origin}/__devcdn/status`, { credentials: 'omit', cache: 'no-store' });
      if (!r.ok) return null;
      const s = await r.json();
      return typeof s.now === 'number' ? s : null;
    } catch {
      return null;
    }
  }

  async control(body) {
    const r = await fetch(`${this.origin}/__devcdn/control`, {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      body: JSON.stringify(body),
    });
    const json = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(`devcdn control: ${json.error || r.status}`);
    return json;
  }

  /** Pace every response at `kbps` (0: unlimited) on one shared link, like one real network. */
  throttle(kbps) {
    return this.control(kbps > 0 ? { rate_kbps: kbps, shared_link: true } : { rate_kbps: 0, shared_link: false });
  }

  /** The next request matching `path` (a devcdn wildcard pattern: segments, key files) fails with
   * `kind` (403 / 404 / 503 / stall, or corrupt: the body's bytes XOR 0x5a, a wrong key). */
  fault(kind, path = '*.ts') {
    const fault = { path, kind, count: 1 };
    // Stall after some bytes, so the player sees a response that starts and then goes silent.
    if (kind === 'stall') fault.after_bytes = 65536;
    return this.control({ fault });
  }

  /** Moves the CDN's (and app's) clock one second past `expires`: the cookies are now refused. */
  async expireAt(expires) {
    const s = await this.status();
    if (!s) throw new Error('devcdn status unavailable');
    const advance = Math.max(1, expires - s.now + 1);
    return this.control({ advance });
  }

  reset() {
    return this.control({ rate_kbps: 0, shared_link: false, ttfb_ms: 0, clear_faults: true, clock_offset: 0 });
  }

  /** Request log entries since the last call. */
  async newLogEntries() {
    const r = await fetch(`${this.origin}/__devcdn/log?since=${this.logSeq}`, { credentials: 'omit', cache: 'no-store' });
    if (!r.ok) return [];
    const entries = await r.json();
    if (!Array.isArray(entries)) return [];
    for (const e of entries) if (e.seq > this.logSeq) this.logSeq = e.seq;
    return entries;
  }
}
