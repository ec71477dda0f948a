// Checks the built package: the .wasm imports nothing from `env` (a sign of an unresolved native
// symbol that would fail in the browser), and the gzipped wasm + JS stay within size-budget.json.
import { readFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';

const wasm = readFileSync('pkg/hlsplay_bg.wasm');
// The glue, the entry over it and the Worker's script (each gzipped as served).
const jsFiles = ['pkg/hlsplay_glue.js', 'pkg/hlsplay.js', 'pkg/hlsplay-worker.js'].map((f) => readFileSync(f));
const fromEnv = WebAssembly.Module.imports(new WebAssembly.Module(wasm)).filter((i) => i.module === 'env');
if (fromEnv.length > 0) {
  console.error(`pkg/hlsplay_bg.wasm imports from env: ${fromEnv.map((i) => i.name).join(', ')}`);
  process.exit(1);
}
const gz = (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
const sizes = { wasm: gz(wasm), js: jsFiles.reduce((n, f) => n + gz(f), 0) };
const total = sizes.wasm + sizes.js;
const budget = JSON.parse(readFileSync('size-budget.json', 'utf8')).wasm_js_gzip_bytes;
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
console.log(`size (gzip -9): wasm ${kb(sizes.wasm)} (raw ${kb(wasm.length)}), js ${kb(sizes.js)}, total ${kb(total)}, budget ${kb(budget)}`);
if (process.env.HLSPLAY_FEATURES) {
  console.log(`budget not checked: built with HLSPLAY_FEATURES=${process.env.HLSPLAY_FEATURES}, not the package`);
} else if (total > budget) {
  console.error(`size budget exceeded by ${total - budget} bytes`);
  process.exit(1);
}
