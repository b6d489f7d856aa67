#!/usr/bin/env node
// The release bundle in dist/, without Trunk: what `make test`'s end-to-end
// tests serve and what a static host serves.
//
//   cargo build (index.html's rust link: bin, features, profile)
//     → wasm-bindgen --target=web → wasm-opt -O<data-wasm-opt>
//     → content-hashed names → index.html with its data-trunk links replaced
//
// The same steps and arguments as `trunk build --release` (Trunk 0.21.14), so
// the bundle is the same code; `make serve` keeps Trunk for development. A
// machine that only runs the tests need not build Trunk (about 8.5 minutes,
// ../shared/TOOLCHAIN.md), and a code-splitting step (issue 14) has a place
// to go between cargo and wasm-bindgen, which Trunk 0.21 cannot give it.
//
// Usage: node scripts/build-release.mjs   (tools on PATH: scripts/env.sh)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const STAGE = join(ROOT, 'target', 'release-bundle');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });

const template = readFileSync(join(ROOT, 'index.html'), 'utf8');
const links = [...template.matchAll(/^\s*<link data-trunk ([^>]*?)\s*\/>\n/gm)];
const attrs = (text) => Object.fromEntries([...text.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
const rust = links.map((l) => attrs(l[1])).find((a) => a.rel === 'rust');
if (!rust) throw new Error('index.html has no <link data-trunk rel="rust" …/>');
const bin = rust['data-bin'];
const profile = rust['data-cargo-profile-release'];
const opt = rust['data-wasm-opt'] ?? 'z';

// 1. cargo, as Trunk runs it for this link.
const cargoArgs = ['build', '--profile', profile, '--target', 'wasm32-unknown-unknown', '--bin', bin];
if (rust['data-cargo-features']) cargoArgs.push('--features', rust['data-cargo-features']);
run('cargo', cargoArgs);

// 2. wasm-bindgen and wasm-opt, with Trunk's arguments.
rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });
const built = join(ROOT, 'target', 'wasm32-unknown-unknown', profile, `${bin}.wasm`);
run('wasm-bindgen', ['--target=web', `--out-dir=${STAGE}`, `--out-name=${bin}`, '--no-typescript', built]);
const optimised = join(STAGE, `${bin}_bg.opt.wasm`);
run('wasm-opt', [`--output=${optimised}`, `-O${opt}`, join(STAGE, `${bin}_bg.wasm`)]);

// 3. dist/: content-hashed names (a new build is a new URL), SRI hashes.
rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
const digest = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
/** Copies `from` into dist/ under a content-hashed name; its URL and SRI. */
function hashed(from, stem = basename(from, extname(from)), ext = extname(from)) {
  const bytes = readFileSync(from);
  const name = `${stem}-${digest(bytes)}${ext}`;
  writeFileSync(join(DIST, name), bytes);
  return { url: `/${name}`, integrity: sri(bytes) };
}
const wasmBytes = readFileSync(optimised);
const tag = digest(wasmBytes);
const wasmName = `${bin}-${tag}_bg.wasm`;
const jsName = `${bin}-${tag}.js`;
writeFileSync(join(DIST, wasmName), wasmBytes);
copyFileSync(join(STAGE, `${bin}.js`), join(DIST, jsName));
if (existsSync(join(STAGE, 'snippets'))) cpSync(join(STAGE, 'snippets'), join(DIST, 'snippets'), { recursive: true });

// 4. index.html: each data-trunk link becomes what Trunk makes of it.
let html = template;
let preloads = `<link rel="modulepreload" href="/${jsName}" crossorigin="anonymous">`
  + `<link rel="preload" href="/${wasmName}" crossorigin="anonymous" as="fetch" type="application/wasm">`;
for (const [line, body] of links) {
  const a = attrs(body);
  let out;
  if (a.rel === 'rust') {
    out = `<script type="module">
import init, * as bindings from '/${jsName}';
const wasm = await init({ module_or_path: '/${wasmName}' });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
</script>`;
  } else if (a.rel === 'css') {
    const f = hashed(join(ROOT, a.href));
    out = `<link rel="stylesheet" href="${f.url}" integrity="${f.integrity}"/>`;
  } else if (a.rel === 'icon') {
    const f = hashed(join(ROOT, a.href));
    out = `<link rel="icon" href="${f.url}"${a.type ? ` type="${a.type}"` : ''} integrity="${f.integrity}"/>`;
  } else if (a.rel === 'copy-file') {
    copyFileSync(join(ROOT, a.href), join(DIST, basename(a.href)));
    out = '';
  } else {
    throw new Error(`index.html: data-trunk rel="${a.rel}" is not handled by scripts/build-release.mjs`);
  }
  html = html.replace(line, out ? `    ${out}\n` : '');
}
html = html.replace('</head>', `  ${preloads}\n  </head>`);
writeFileSync(join(DIST, 'index.html'), html);
console.log(`dist/: ${wasmName} (${wasmBytes.length} B), ${jsName}, index.html`);
