/**
 * A worker thread's code as plain JavaScript, so the worker loads no TypeScript tooling. From compiled output the `.js`
 * file runs as is. Under ts-node (`npm run book`, the tests) the `.ts` entry and the project files it imports by
 * relative path are transpiled once, in this thread, with the TypeScript compiler ts-node has already loaded (no type
 * check, as ts-node's transpile-only mode), and the worker evaluates them as CommonJS modules; packages (ethers) are
 * required from the entry's folder as usual. Nothing is written to disk.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { WorkerOptions } from "node:worker_threads";

/** What `new Worker(source, options)` takes to run `entry`. */
export interface WorkerScript {
  source: string;
  eval: boolean;
  /** Passed to the worker beside the caller's own workerData (under `compiled`). */
  compiled?: { entry: string; modules: Record<string, string> };
}

/** The worker's bootstrap: a module loader over the transpiled sources, then the entry. */
const LOADER = `
const { createRequire } = require("node:module");
const { dirname, resolve } = require("node:path");
const { workerData } = require("node:worker_threads");
const { entry, modules } = workerData.compiled;
const cache = new Map();
function local(from, spec) {
  if (!spec.startsWith(".")) return undefined;
  const base = resolve(dirname(from), spec);
  return [base + ".ts", resolve(base, "index.ts")].find((f) => f in modules);
}
function load(file) {
  const hit = cache.get(file);
  if (hit !== undefined) return hit.exports;
  const module = { exports: {} };
  cache.set(file, module);
  const packages = createRequire(file);
  const require = (spec) => {
    const own = local(file, spec);
    return own === undefined ? packages(spec) : load(own);
  };
  new Function("exports", "require", "module", "__filename", "__dirname", modules[file])(
    module.exports, require, module, file, dirname(file));
  return module.exports;
}
load(entry);
`;

/** The project file a relative import of `from` names (`.ts`, or a folder's `index.ts`), if any. */
function localFile(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = resolve(dirname(from), spec);
  return [`${base}.ts`, resolve(base, "index.ts")].find((f) => existsSync(f));
}

/** `entry` (a `.ts` file) and every project file it reaches by relative imports, transpiled to CommonJS. */
function transpile(entry: string): Record<string, string> {
  // Required here, not imported: only under ts-node, which has loaded it already.
  const ts = require("typescript") as typeof import("typescript");
  const modules: Record<string, string> = {};
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (file in modules) continue;
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    modules[file] = outputText;
    for (const [, spec] of outputText.matchAll(/require\("([^"]+)"\)/g)) {
      const dependency = localFile(file, spec);
      if (dependency !== undefined) pending.push(dependency);
    }
  }
  return modules;
}

const cache = new Map<string, WorkerScript>();

/** How to start a worker on `file` (a path without extension, beside the calling module). */
export function workerScript(file: string, typescript: boolean): WorkerScript {
  if (!typescript) return { source: `${file}.js`, eval: false };
  const entry = `${file}.ts`;
  let script = cache.get(entry);
  if (script === undefined) {
    script = { source: LOADER, eval: true, compiled: { entry, modules: transpile(entry) } };
    cache.set(entry, script);
  }
  return script;
}

/** The Worker options that run `script` with the caller's `workerData`. */
export function workerOptions(script: WorkerScript, workerData: Record<string, unknown>): WorkerOptions {
  return {
    eval: script.eval,
    workerData: script.compiled === undefined ? workerData : { ...workerData, compiled: script.compiled },
  };
}
