// Shortens the names wasm-bindgen gives the wasm's imports from its JS glue
// (`__wbg_appendBuffer_7850550b5c7f055b` -> `appendBuffer`), in pkg/hlsplay_bg.wasm and
// pkg/hlsplay.js alike. The 16-hex-digit hashes only keep wasm-bindgen's symbols apart; they
// are random text, written twice (wasm and JS), which gzip cannot shrink: ~2.6 KB gzip of the
// package. A name left ambiguous without its hash gets a number (`new`, `new2`).
// The glue's calls into the wasm are renamed likewise (below); the typings' `InitOutput` follows.
import { readFileSync, writeFileSync } from 'node:fs';
import { leb, readLeb, rewriteSections } from './wasm-sections.mjs';

const wasmPath = 'pkg/hlsplay_bg.wasm';
const jsPath = 'pkg/hlsplay.js';
const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, 'utf8');

const HASH = /^(.+?)_h?[0-9a-f]{16}$/;
const renames = new Map();
const taken = new Set(WebAssembly.Module.imports(new WebAssembly.Module(wasm)).map((i) => i.name));
for (const e of WebAssembly.Module.exports(new WebAssembly.Module(wasm))) taken.add(e.name);
function shortName(name) {
  const m = HASH.exec(name);
  if (!m) return name;
  if (renames.has(name)) return renames.get(name);
  const base = m[1].replace(/_+$/, '').replace(/^__wbg_/, '');
  let short = base;
  for (let n = 2; taken.has(short); n++) short = `${base}${n}`;
  taken.add(short);
  renames.set(name, short);
  return short;
}

// The glue's own module name, repeated for every import.
const GLUE_MODULE = './hlsplay_bg.js';
const shortModule = (module) => (module === GLUE_MODULE ? 'wbg' : module);

// A wasm name: a LEB128 length and UTF-8 bytes.
function readName(bytes, at) {
  const [len, start] = readLeb(bytes, at);
  return [new TextDecoder().decode(bytes.subarray(start, start + len)), start + len];
}
const nameBytes = (s) => {
  const b = new TextEncoder().encode(s);
  return [...leb(b.length), ...b];
};

// Rewrites the import section (2) and the export section (7); every other section is copied.
function rewriteImports(body) {
  let [count, at] = readLeb(body, 0);
  const out = leb(count);
  while (count--) {
    let module, name;
    [module, at] = readName(body, at);
    [name, at] = readName(body, at);
    const descStart = at;
    const kind = body[at++];
    if (kind === 0 || kind === 4) {
      // function: type index; tag: attribute byte + type index
      if (kind === 4) at++;
      [, at] = readLeb(body, at);
    } else if (kind === 1 || kind === 2) {
      // table: reference type, then limits; memory: limits
      if (kind === 1) at++;
      const flags = body[at++];
      [, at] = readLeb(body, at);
      if (flags & 1) [, at] = readLeb(body, at);
    } else if (kind === 3) {
      at += 2; // global: value type, mutability
    } else {
      throw new Error(`import ${module}.${name}: unknown kind ${kind}`);
    }
    out.push(...nameBytes(shortModule(module)), ...nameBytes(shortName(name)), ...body.subarray(descStart, at));
  }
  return out;
}

// The exports the glue calls (`wasm.player_load`, `wasm.__wbindgen_malloc`, ...; the page calls
// the glue's `Player` class, never these) become `x0`, `x1`, ...: their names are written twice
// too, and 2-3 characters instead of 10-40 take ~0.35 KB gzip off. Only `wasm.<name>` changes in
// the glue: its own functions of the same name (`version`, `workerMain`) are the page's API.
// `memory` keeps its name (the race reads `init()`'s `memory`), and so do exports the glue never
// calls (wasm-bindgen's abort globals).
const exportRenames = new Map();
let nextExport = 0;
const calls = (name) => new RegExp(`\\bwasm\\.${name}\\b`, 'g');
function exportName(name) {
  if (name === 'memory' || !calls(name).test(js)) return name;
  let short;
  do short = `x${(nextExport++).toString(36)}`;
  while (taken.has(short));
  taken.add(short);
  exportRenames.set(name, short);
  return short;
}

function rewriteExports(body) {
  let [count, at] = readLeb(body, 0);
  const out = leb(count);
  while (count--) {
    let name;
    [name, at] = readName(body, at);
    const kind = body[at++];
    let index;
    [index, at] = readLeb(body, at);
    out.push(...nameBytes(exportName(name)), kind, ...leb(index));
  }
  return out;
}

const out = rewriteSections(wasm, (id, body) => {
  if (id === 2) return rewriteImports(body);
  if (id === 7) return rewriteExports(body);
  return null;
});

if (js.split(`"${GLUE_MODULE}"`).length !== 2) throw new Error(`${jsPath}: "${GLUE_MODULE}" not found once`);
js = js.replace(`"${GLUE_MODULE}"`, '"wbg"');
for (const [from, to] of renames) {
  const word = new RegExp(`\\b${from}\\b`, 'g');
  const uses = js.match(word)?.length ?? 0;
  if (uses === 0) throw new Error(`${from} is not in ${jsPath}: the glue and the wasm would disagree`);
  js = js.replace(word, to);
}
for (const [from, to] of exportRenames) js = js.replace(calls(from), `wasm.${to}`);
// The glue must still name every import and call only exports that exist.
const module = new WebAssembly.Module(out);
for (const i of WebAssembly.Module.imports(module)) {
  if (!new RegExp(`\\b${i.name}\\b`).test(js)) throw new Error(`import ${i.name} is not in ${jsPath}`);
}
const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
for (const [, name] of js.matchAll(/\bwasm\.([A-Za-z0-9_$]+)/g)) {
  if (!exported.has(name)) throw new Error(`${jsPath} calls wasm.${name}, which the wasm does not export`);
}
writeFileSync(wasmPath, out);
writeFileSync(jsPath, js);
// The typings list the wasm's exports (`InitOutput`) too.
for (const path of ['pkg/hlsplay.d.ts', 'pkg/hlsplay_bg.wasm.d.ts']) {
  let text = readFileSync(path, 'utf8');
  for (const [from, to] of renames) text = text.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  for (const [from, to] of exportRenames) {
    text = text.replace(new RegExp(`(readonly|export const) ${from}:`), `$1 ${to}:`);
  }
  writeFileSync(path, text);
}
