// The player's dedicated Worker (`worker: true`): the page posts the compiled wasm Module and the
// config first, then the engine's inputs; the glue is instantiated once here and the session
// runs in the wasm (src/web/worker.rs). Messages that arrive while it instantiates are kept.
import init, { workerMain } from './hlsplay_glue.js';

const early = [];
self.onmessage = async ({ data }) => {
  if (early.push(data) > 1) return;
  const [module, config] = data;
  try {
    await init({ module_or_path: module });
  } catch (e) {
    // A CSP without 'wasm-unsafe-eval' for the Worker, or a Module the Worker cannot take.
    self.postMessage([[1 /* wire::op::FAILED */, `the Worker could not instantiate the wasm: ${e?.message ?? e}`]]);
    return;
  }
  self.onmessage = null;
  early.shift();
  workerMain(config, early);
};
