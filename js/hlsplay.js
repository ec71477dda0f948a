// The package's entry: wasm-bindgen's glue (hlsplay_glue.js) with the Worker set up. The
// `new Worker(new URL(…), …)` is written out here, in a module the Worker does not import, so
// that bundlers (Vite, webpack 5) find and bundle the Worker, and a page without a bundler
// loads it beside this file.
import glueInit, { initSync as glueInitSync, __setWorkerFactory } from './hlsplay_glue.js';

export * from './hlsplay_glue.js';

// One Worker is kept ready for the next `load()`. It starts as this module is imported, so its
// thread and scripts load while the page fetches and compiles the wasm; it gets the compiled
// Module (and instantiates it) once `init()` has it. `what` 0 keeps it (`init()`, a Player made
// with `worker: true`), 1 takes it (or a new one) for a `load()`, 2 ends it (no MSE, or a Player
// made with `worker: false`). Its `error` event (the script did not load) may fire before the
// player listens: what it said is kept as `failed`.
const start = () => {
  const worker = new Worker(new URL('./hlsplay-worker.js', import.meta.url), { type: 'module' });
  worker.addEventListener('error', (e) => { worker.failed ??= e.message || 'the Worker script did not start'; });
  return worker;
};
let spare = null;
try {
  if (typeof Worker === 'function') spare = start();
} catch {
  // A CSP without `worker-src`: said by the first `load()`, which tries again.
}
let given = null; // the Worker the Module was last posted to
const spawn = (module, what) => {
  if (what === 2) {
    spare?.terminate();
    spare = null;
    return null;
  }
  const worker = spare ?? start();
  if (given !== worker) worker.postMessage(module);
  given = worker;
  spare = what ? null : worker;
  return worker;
};

export default async function init(input) {
  const exports = await glueInit(input);
  __setWorkerFactory(spawn);
  return exports;
}

export function initSync(input) {
  const exports = glueInitSync(input);
  __setWorkerFactory(spawn);
  return exports;
}
