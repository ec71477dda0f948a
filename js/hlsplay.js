// The package's entry: wasm-bindgen's glue (hlsplay_glue.js) with the Worker set up. The
// `new Worker(new URL(…), …)` is written out here, in a module the Worker does not import, so
// that bundlers (Vite, webpack 5) find and bundle the Worker, and a page without a bundler
// loads it beside this file.
import glueInit, { initSync as glueInitSync, __setWorkerFactory } from './hlsplay_glue.js';

export * from './hlsplay_glue.js';

// One Worker is kept ready (`take` false: a Player was made) for the next `load()` (`take` true):
// it instantiates the wasm Module as soon as it starts. Its `error` event (the script did not
// load) may fire before the player listens: what it said is kept as `failed`.
let spare = null;
const spawn = (module, take) => {
  let worker = spare;
  if (!worker) {
    worker = new Worker(new URL('./hlsplay-worker.js', import.meta.url), { type: 'module' });
    worker.addEventListener('error', (e) => { worker.failed ??= e.message || 'the Worker script did not start'; });
    worker.postMessage(module);
  }
  spare = take ? null : worker;
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
