// The package's entry: wasm-bindgen's glue (hlsplay_glue.js) with the Worker set up. The
// `new Worker(new URL(…), …)` is written out here, in a module the Worker does not import, so
// that bundlers (Vite, webpack 5) find and bundle the Worker, and a page without a bundler
// loads it beside this file.
import glueInit, { initSync as glueInitSync, __setWorkerFactory } from './hlsplay_glue.js';

export * from './hlsplay_glue.js';

const spawn = () => new Worker(new URL('./hlsplay-worker.js', import.meta.url), { type: 'module' });

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
