// A minimal app as a customer would write it: the package from npm, bundled by Vite.
import init, { Player } from 'hlsplay';

await init();
const params = new URLSearchParams(location.search);
await fetch('/auth/cookies', { credentials: 'include' });
const video = document.getElementById('video');
// `?worker=0` / `?workerMediaSource=0` (HLSPLAY_WORKER=0 / page in the test run): the other modes.
const player = new Player(video, {
  ...(params.get('worker') === '0' ? { worker: false } : {}),
  ...(params.get('workerMediaSource') === '0' ? { workerMediaSource: false } : {}),
});
const errors = [];
player.on('error', (e) => errors.push(e.message));
window.bundled = { errors, player, supported: Player.isSupported() };
player.load(params.get('src'));
video.play().catch(() => {});
