// Bundles the web app into static/assets with esbuild; `--size` prints the
// gzipped sizes and fails over the budget, `--watch` rebuilds on change.
//
// app.js and app.css keep fixed names, because index.html names them and is
// not generated; web.go serves them with no-cache and an ETag, so a phone
// revalidates them with one small request. Everything they load (the lazy
// chunks, fonts and images) has a content hash in its name and is cached for
// a year.
import * as esbuild from "esbuild";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const outdir = "static/assets";
// Gzipped JS + CSS, fonts and images excluded.
const budget = 250 * 1024;

const options = {
  entryPoints: { app: "src/main.js" },
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true,
  // Chrome on cheap Android phones lags a few years behind. Safari before
  // 14.1 is left out: esbuild cannot lower Geoman's destructuring for it.
  target: ["es2019", "chrome70", "firefox68", "safari14.1"],
  outdir,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "files/[name]-[hash]",
  loader: { ".woff2": "file", ".woff": "file", ".png": "file", ".svg": "file" },
  // Licences go to app.js.LEGAL.txt instead of into every download.
  legalComments: "external",
  logLevel: "warning",
};

const mode = process.argv[2] ?? "";

if (mode === "--size") {
  process.exit(reportSize() ? 0 : 1);
} else if (mode === "--watch") {
  const ctx = await esbuild.context({ ...options, logLevel: "info" });
  await ctx.watch();
} else {
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build(options);
  reportSize();
}

// reportSize prints every JS and CSS file's gzipped size and reports whether
// the total is within the budget.
function reportSize() {
  let files;
  try {
    files = walk(outdir).filter((f) => /\.(js|css)$/.test(f));
  } catch {
    console.error(`${outdir} is missing: run npm run build first`);
    return false;
  }
  const first = loadedFirst();
  let total = 0;
  let initial = 0;
  const rows = files.map((f) => {
    const gz = gzipSync(readFileSync(f), { level: 9 }).length;
    total += gz;
    const name = relative(outdir, f);
    if (first.has(name)) initial += gz;
    return [name, statSync(f).size, gz];
  });
  rows.sort((a, b) => b[2] - a[2]);
  for (const [name, raw, gz] of rows) {
    console.log(`${kb(gz).padStart(9)} gzip ${kb(raw).padStart(9)} raw  ${name}`);
  }
  console.log(`${kb(initial).padStart(9)} gzip loaded first (${[...first].join(", ")})`);
  console.log(`${kb(total).padStart(9)} gzip in all, budget ${kb(budget)}`);
  if (total > budget) {
    console.error(`over budget by ${kb(total - budget)}`);
    return false;
  }
  return true;
}

// loadedFirst returns app.css, app.js and the chunks it imports statically:
// what every visitor downloads before the map shows. Lazy chunks (drawing,
// the advocate's view) load with import() and are left out.
function loadedFirst() {
  const seen = new Set(["app.css"]);
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const code = readFileSync(join(outdir, name), "utf8");
    for (const m of code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) {
      visit(join(name, "..", m[1]).replace(/\\/g, "/"));
    }
  };
  visit("app.js");
  return seen;
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`;
}
