// The wasm binary format as the package's post-processing scripts read and write it: LEB128
// numbers, and a module rebuilt section by section.

/** The unsigned LEB128 number at `at`, and where it ends. */
export function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** `value` as unsigned LEB128 bytes. */
export function leb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

/** `wasm` with each section whose body `rewrite(id, body)` replaces (a byte array; null or
 * undefined keeps it) written anew, every other section copied. */
export function rewriteSections(wasm, rewrite) {
  const parts = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    const body = wasm.subarray(start, start + size);
    const rewritten = rewrite(id, body);
    if (rewritten) {
      const bytes = Uint8Array.from(rewritten);
      parts.push(Uint8Array.from([id, ...leb(bytes.length)]), bytes);
    } else {
      parts.push(wasm.subarray(at, start + size));
    }
    at = start + size;
  }
  return Buffer.concat(parts);
}
