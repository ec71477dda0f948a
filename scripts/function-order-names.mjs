// Renames the functions in pkg/hlsplay_bg.wasm's name section so that wasm-opt's
// --reorder-functions-by-name puts similar code side by side, where gzip's 32 KB window finds
// its repeats. The names are dropped right after (--strip-debug): they only decide the order.
// - A trait method is named by trait, method, then type (`<X as core::fmt::Display>::fmt` ->
//   `core::fmt::Display::fmt X`): every Display::fmt (or Iterator::next, ...) together, rather
//   than each beside its type's other code.
// - The 16-hex-digit hash is replaced by the function's index: copies of one generic keep the
//   order the compiler emitted them in rather than a random one.
// -0.4 KB gz over the plain names (docs/design-size.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { leb, readLeb, rewriteSections } from './wasm-sections.mjs';

const wasmPath = 'pkg/hlsplay_bg.wasm';
const wasm = readFileSync(wasmPath);

function orderName(index, name) {
  const plain = name.replace(/::h[0-9a-f]{16}$/, '');
  const impl = /^<(.+?) as (.+)>::(.*)$/.exec(plain);
  const key = impl ? `${impl[2]}::${impl[3]} ${impl[1]}` : plain;
  return `${key} ${String(index).padStart(6, '0')}`;
}

// The name section's function names (subsection 1): a count, then (index, name) pairs.
function renameFunctions(sub) {
  let [count, at] = readLeb(sub, 0);
  const out = [Uint8Array.from(leb(count))];
  while (count--) {
    let index, len;
    [index, at] = readLeb(sub, at);
    [len, at] = readLeb(sub, at);
    const name = new TextDecoder().decode(sub.subarray(at, at + len));
    at += len;
    const bytes = new TextEncoder().encode(orderName(index, name));
    out.push(Uint8Array.from([...leb(index), ...leb(bytes.length)]), bytes);
  }
  return Buffer.concat(out);
}

// The name section with its function names rewritten; null for another custom section.
function rewriteNameSection(body) {
  let [len, at] = readLeb(body, 0);
  if (new TextDecoder().decode(body.subarray(at, at + len)) !== 'name') return null;
  at += len;
  const out = [body.subarray(0, at)];
  while (at < body.length) {
    const id = body[at];
    const [size, start] = readLeb(body, at + 1);
    const sub = body.subarray(start, start + size);
    const rewritten = id === 1 ? renameFunctions(sub) : sub;
    out.push(Uint8Array.from([id, ...leb(rewritten.length)]), rewritten);
    at = start + size;
  }
  return Buffer.concat(out);
}

let renamed = false;
const out = rewriteSections(wasm, (id, body) => {
  const rewritten = id === 0 ? rewriteNameSection(body) : null;
  renamed ||= rewritten !== null;
  return rewritten;
});
if (!renamed) throw new Error(`${wasmPath} has no name section (wasm-bindgen --keep-debug keeps it)`);
writeFileSync(wasmPath, out);
