// Unpacks the npm package @sparticuz/chromium (already extracted into
// <dir>/package by `npm pack` and tar) into <dir>/out: the brotli-packed
// browser, and its library tarballs beside it, where LD_LIBRARY_PATH
// finds them. Run by make chromium-127 and chromium-103: node ships
// brotli, Debian's brotli CLI need not be installed.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, chmodSync } from "node:fs";
import { brotliDecompressSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const dir = process.argv[2];
const bin = join(dir, "package", "bin");
const out = join(dir, "out");
mkdirSync(out, { recursive: true });
for (const name of readdirSync(bin)) {
  if (!name.endsWith(".br")) continue;
  const data = brotliDecompressSync(readFileSync(join(bin, name)));
  if (name.endsWith(".tar.br")) {
    execFileSync("tar", ["-x", "-C", out], { input: data });
  } else {
    const dst = join(out, name.slice(0, -3));
    writeFileSync(dst, data);
    chmodSync(dst, 0o755);
  }
}
