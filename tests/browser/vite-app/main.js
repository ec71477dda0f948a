// A minimal app as a customer would write it: the package from npm, bundled by Vite.
import init, { Player } from 'hlsplay';

await init();
const params = new URLSearchParams(location.search);
await fetch('/auth/cookies', { credentials: 'include' });
const video = document.getElementById('video');
const player = new Player(video, {});
const errors = [];
player.on('error', (e) => errors.push(e.message));
window.bundled = { errors, supported: Player.isSupported() };
player.load(params.get('src'));
video.play().catch(() => {});
