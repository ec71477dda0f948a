// The player's dedicated Worker (`worker: true`), started ahead of `load()` (js/hlsplay.js). The
// page posts the compiled wasm Module first (once `init()` has it), then, with `load()`, the
// config that starts the session (src/web/worker.rs) and the engine's inputs; what arrives
// while the wasm instantiates is kept.
import init, { workerMain } from './hlsplay_glue.js';

let instantiated = null;
const early = [];
self.onmessage = async ({ data }) => {
  if (!instantiated) {
    // A CSP without 'wasm-unsafe-eval' for the Worker, or a Module the Worker cannot take:
    // said once the config arrives (the page listens for this Worker's messages from then on).
    instantiated = init({ module_or_path: data })
      .then(() => null, (e) => `the Worker could not instantiate the wasm: ${e?.message ?? e}`);
    return;
  }
  if (early.push(data) > 1) return;
  const failed = await instantiated;
  if (failed) {
    self.postMessage([[1 /* wire::op::FAILED */, failed]]);
    return;
  }
  self.onmessage = null;
  workerMain(early.shift(), early);
};
