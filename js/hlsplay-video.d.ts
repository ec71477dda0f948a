// hlsplay/element: <hlsplay-video>, registered on import.
import type { Player } from './hlsplay.js';

type VideoApi = Omit<HTMLVideoElement, keyof HTMLElement | 'src' | 'load'>;

/**
 * `<hlsplay-video src="…m3u8">`: a <video> in its shadow root, played through Player. The
 * HTMLVideoElement properties and methods (play, pause, currentTime, duration, paused, muted,
 * volume, buffered, textTracks, …) act on that video; its media events are dispatched from the
 * host. `<track>` children are copied into the video. Removing the element from the page destroys
 * the player.
 */
interface HlsplayVideo extends VideoApi {}
declare class HlsplayVideo extends HTMLElement {
  /** The m3u8 URL (attribute `src`): setting it loads the stream, removing it stops. */
  src: string;
  /** Player's config (the package README's keys); applied by reloading when a stream plays. */
  config: object;
  /** The Player underneath, once the wasm is initialised and a src loaded; else null. */
  readonly player: Player | null;
  /** The wrapped <video>. */
  readonly media: HTMLVideoElement;
  /** Reloads the src. */
  load(): void;
}

export default HlsplayVideo;
export { HlsplayVideo };

declare global {
  interface HTMLElementTagNameMap {
    'hlsplay-video': HlsplayVideo;
  }
}
