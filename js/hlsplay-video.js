// hlsplay/element: <hlsplay-video>, a <video> (in its shadow root) that plays an m3u8 `src`
// through Player and otherwise behaves as the HTMLVideoElement it wraps: properties, methods and
// media events on the host, which is what media-chrome (slot="media") and frameworks need.
import init, { Player } from './hlsplay.js';

// Media events do not bubble out of the shadow root: each is dispatched again from the host.
const EVENTS = `abort canplay canplaythrough durationchange emptied encrypted ended error loadeddata
  loadedmetadata loadstart pause play playing progress ratechange resize seeked seeking stalled suspend
  timeupdate volumechange waiting waitingforkey enterpictureinpicture leavepictureinpicture`.split(/\s+/);
// Read and written through to the video.
const PROPERTIES = `currentTime volume muted defaultMuted playbackRate defaultPlaybackRate autoplay loop
  controls preload poster playsInline crossOrigin disablePictureInPicture disableRemotePlayback
  preservesPitch srcObject`.split(/\s+/);
const READ_ONLY = `duration paused ended seeking readyState networkState buffered played seekable error
  videoWidth videoHeight textTracks audioTracks videoTracks currentSrc remote mediaKeys`.split(/\s+/);
const METHODS = `play pause canPlayType fastSeek addTextTrack getVideoPlaybackQuality
  requestPictureInPicture captureStream setSinkId setMediaKeys`.split(/\s+/);
// Attributes copied onto the video (`src` is ours).
const ATTRIBUTES = `autoplay controls loop muted playsinline preload poster crossorigin
  disablepictureinpicture disableremoteplayback width height`.split(/\s+/);

const Base = globalThis.HTMLElement || class {};
/** init()'s promise once asked for, and whether it has resolved. */
let wasm;
let ready = false;

export default class HlsplayVideo extends Base {
  static get observedAttributes() { return ['src', ...ATTRIBUTES]; }

  #video;
  #player = null;
  #config = {};
  /** Incremented by every load and stop: a load that awaited the wasm checks it is still current. */
  #token = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    // Sized by the video's intrinsic size, or filling the host when the page sizes it.
    root.innerHTML = '<style>:host{display:inline-block;line-height:0}video{max-width:100%;'
      + 'max-height:100%;min-width:100%;min-height:100%;object-fit:var(--media-object-fit,contain)}</style>'
      + '<video part="video"></video><slot></slot>';
    this.#video = root.querySelector('video');
    for (const type of EVENTS) {
      this.#video.addEventListener(type, () => this.dispatchEvent(new Event(type)));
    }
    // <track> children: a media element only reads its own children, not slotted ones.
    root.querySelector('slot').addEventListener('slotchange', () => this.#copyTracks());
  }

  /** The m3u8 URL (attribute `src`); setting it loads it, removing it stops. */
  get src() { return this.getAttribute('src') || ''; }
  set src(url) {
    if (url) this.setAttribute('src', url);
    else this.removeAttribute('src');
  }

  /** Player's config (see the package README); used from the next load on. */
  get config() { return this.#config; }
  set config(config) {
    this.#config = config || {};
    if (this.#player) {
      this.#stop();
      this.#load();
    }
  }

  /** The Player underneath, once the wasm is initialised and a src loaded (else null). */
  get player() { return this.#player; }

  /** The wrapped <video>. */
  get media() { return this.#video; }

  /** Reloads the src, as HTMLMediaElement.load() does. */
  load() {
    this.#stop();
    this.#load();
  }

  connectedCallback() {
    if (!this.#player) this.#load();
  }

  disconnectedCallback() {
    // A move (removed and inserted in the same task) keeps playing.
    queueMicrotask(() => { if (!this.isConnected) this.#stop(); });
  }

  attributeChangedCallback(name, old, value) {
    if (name !== 'src') {
      if (value === null) this.#video.removeAttribute(name);
      else this.#video.setAttribute(name, value);
      // The attribute only sets the default; the page means the state.
      if (name === 'muted') this.#video.muted = value !== null;
    } else if (old !== value) {
      this.#load();
    }
  }

  async #load() {
    const url = this.src;
    if (!url || !this.isConnected) {
      this.#stop();
      return;
    }
    const token = ++this.#token;
    // Synchronous once the wasm is there, so `el.src = url; el.play()` plays the new url.
    if (!ready) {
      await (wasm ||= init().then(() => { ready = true; }));
      // Superseded while the wasm loaded: a later src, a removal, or the element left the page.
      if (token !== this.#token) return;
    }
    this.#player ||= new Player(this.#video, this.#config);
    this.#player.load(new URL(url, document.baseURI).href);
  }

  #stop() {
    this.#token++;
    if (!this.#player) return;
    this.#player.destroy();
    this.#player.free();
    this.#player = null;
    this.#video.removeAttribute('src');
    this.#video.load();
  }

  #copyTracks() {
    for (const old of this.#video.querySelectorAll('track')) old.remove();
    for (const track of this.querySelectorAll(':scope > track')) this.#video.append(track.cloneNode());
  }
}

const proto = HlsplayVideo.prototype;
for (const name of PROPERTIES) {
  Object.defineProperty(proto, name, {
    get() { return this.media[name]; },
    set(value) { this.media[name] = value; },
    configurable: true,
  });
}
for (const name of READ_ONLY) {
  Object.defineProperty(proto, name, { get() { return this.media[name]; }, configurable: true });
}
for (const name of METHODS) {
  Object.defineProperty(proto, name, {
    value(...args) { return this.media[name](...args); }, writable: true, configurable: true,
  });
}

if (globalThis.customElements && !customElements.get('hlsplay-video')) {
  customElements.define('hlsplay-video', HlsplayVideo);
}

export { HlsplayVideo };
