#!/usr/bin/env node
// The release bundle in dist/, without Trunk: what `make test`'s end-to-end
// tests serve and what a static host serves.
//
//   cargo rustc (index.html's rust link: bin, features + `split`, profile;
//                -Clink-arg=--emit-relocs)
//     → wasm-split-cli (main module + a chunk per family split point)
//     → wasm-bindgen --target=web (main module) → wasm-opt -O<data-wasm-opt> (each)
//     → pkg-<hash>/ + content-hashed assets → index.html with its data-trunk links replaced
//     → target/bundle-sizes.json (first load and chunks, gzip -9; scripts/test.sh checks it)
//
// Trunk 0.21 cannot run the split step, so `trunk serve` (development)
// builds without feature `split`: there the chunks are plain functions of
// the main module. Otherwise the same steps and arguments as
// `trunk build --release` (Trunk 0.21.14). A machine that only runs the
// tests need not build Trunk (about 8.5 minutes, ../shared/TOOLCHAIN.md).
//
// Usage: node scripts/build-release.mjs   (tools on PATH: scripts/env.sh)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { gzipSync } from 'node:zlib';
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

// 1. cargo, as Trunk runs it for this link, plus feature `split` (the
//    families' chunks become split points) and relocations for the splitter
//    (on the bin only: RUSTFLAGS would rebuild every dependency).
const features = [rust['data-cargo-features'], 'split'].filter(Boolean).join(',');
run('cargo', ['rustc', '--profile', profile, '--target', 'wasm32-unknown-unknown', '--bin', bin,
  '--features', features, '--', '-Clink-arg=--emit-relocs']);
const built = join(ROOT, 'target', 'wasm32-unknown-unknown', profile, `${bin}.wasm`);

// 2. wasm-split-cli: the main module, one wasm per split point (and a
//    chunk_* for code two of them share), and __wasm_split.js, which fetches
//    them. Then wasm-bindgen on the main module (keeping the exports the
//    chunks import) and wasm-opt on every module, with Trunk's level.
rmSync(STAGE, { recursive: true, force: true });
const SPLIT = join(STAGE, 'split');
const PKG = join(STAGE, 'pkg');
mkdirSync(PKG, { recursive: true });
run('wasm-split-cli', ['--target', 'web', '--out-name', bin, built, SPLIT]);
run('wasm-bindgen', ['--target=web', '--keep-lld-exports', '--no-demangle', '--no-typescript',
  `--out-dir=${PKG}`, `--out-name=${bin}`, join(SPLIT, `${bin}.wasm`)]);
copyFileSync(join(SPLIT, '__wasm_split.js'), join(PKG, '__wasm_split.js'));
const chunks = readdirSync(SPLIT).filter((f) => f.endsWith('.wasm') && f !== `${bin}.wasm`).sort();
for (const c of chunks) copyFileSync(join(SPLIT, c), join(PKG, c));
for (const w of [`${bin}_bg.wasm`, ...chunks]) {
  const f = join(PKG, w);
  // --low-memory-unused: Rust's wasm keeps its data above the stack, so
  // the first 1 KiB of memory is never addressed and wasm-opt may fold
  // constant offsets into loads and stores (measured: −3 KB gzip).
  run('wasm-opt', [`--output=${f}.opt`, `-O${opt}`, '--low-memory-unused', f]);
  renameSync(`${f}.opt`, f);
}
// The preset files, which the page fetches for a chunk family's preset
// (`Preset::path`, relative to the package: src/ui/url.rs's fetch_text):
// inside the hashed folder, so a page only ever reads the files of its
// own build.
cpSync(join(ROOT, 'public', 'presets'), join(PKG, 'presets'), { recursive: true });

// 3. dist/: the modules in one content-hashed folder (a new build is a new
//    URL; inside it the glue and the loader reach each other and the chunks
//    by relative names), the other assets under content-hashed names.
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
const files = readdirSync(PKG, { recursive: true }).filter((f) => statSync(join(PKG, f)).isFile()).sort();
const all = createHash('sha256');
for (const f of files) all.update(f).update(readFileSync(join(PKG, f)));
const pkgName = `pkg-${all.digest('hex').slice(0, 16)}`;
cpSync(PKG, join(DIST, pkgName), { recursive: true });
const jsUrl = `/${pkgName}/${bin}.js`;
const wasmUrl = `/${pkgName}/${bin}_bg.wasm`;

// 4. index.html: each data-trunk link becomes what Trunk makes of it.
let html = template;
let preloads = `<link rel="modulepreload" href="${jsUrl}" crossorigin="anonymous">`
  + `<link rel="modulepreload" href="/${pkgName}/__wasm_split.js" crossorigin="anonymous">`
  + `<link rel="preload" href="${wasmUrl}" crossorigin="anonymous" as="fetch" type="application/wasm">`;
for (const [line, body] of links) {
  const a = attrs(body);
  let out;
  if (a.rel === 'rust') {
    out = `<script type="module">
import init, * as bindings from '${jsUrl}';
const wasm = await init({ module_or_path: '${wasmUrl}' });
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

// 5. What a browser fetches: the first load (the main module, its glue and
//    the chunk loader; not the CSS, the icon, index.html or wasm-bindgen's
//    small snippets, about 7 KB more) and each family's chunk, gzip -9.
const gz = (f) => gzipSync(readFileSync(join(PKG, f)), { level: 9 }).length;
const first = [`${bin}_bg.wasm`, `${bin}.js`, '__wasm_split.js'].map((f) => [f, gz(f)]);
const firstLoad = first.reduce((sum, [, b]) => sum + b, 0);
const report = {
  pkg: pkgName,
  first_load: Object.fromEntries(first),
  first_load_bytes: firstLoad,
  chunks: Object.fromEntries(chunks.map((c) => [c, gz(c)])),
  // The families, from the registry's folders (src/families/<id>/).
  families: readdirSync(join(ROOT, 'src', 'families'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort(),
};
writeFileSync(join(ROOT, 'target', 'bundle-sizes.json'), JSON.stringify(report, null, 2));
console.log(`dist/: ${pkgName}/ (${files.length} files), index.html; sizes in target/bundle-sizes.json (node scripts/bundle-budget.mjs prints them)`);
