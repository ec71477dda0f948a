// Writes pkg/package.json from the repository's pkg.json, taking the version from Cargo.toml so the
// two cannot drift.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync('pkg.json', 'utf8'));
const cargo = readFileSync('Cargo.toml', 'utf8');
const version = /^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
if (!version) throw new Error('Cargo.toml: no [package] version');
// An export or a listed file missing from pkg/ would only show in an app's install.
const missing = manifest.files.filter((f) => !existsSync(`pkg/${f}`) && f !== 'README.md');
if (missing.length) throw new Error(`pkg/ lacks ${missing.join(', ')} (listed in pkg.json)`);
writeFileSync('pkg/package.json', JSON.stringify({ ...manifest, version }, null, 2) + '\n');
