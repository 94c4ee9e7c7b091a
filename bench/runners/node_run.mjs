// Runs a benchmark module on Node's WebAssembly (V8: Liftoff, then TurboFan) with node:wasi;
// bench/bench.py starts it.
//
//   node --no-warnings node_run.mjs wasi MODULE [ARGS...]      a WASI command (_start), once
//   node --no-warnings node_run.mjs call MODULE FUNC ARG REPS  FUNC(ARG) REPS times on one
//                                                              instance: ns=<ns> result=<i32>
//   node --no-warnings node_run.mjs startup MODULE             compile + instantiate +
//                                                              _initialize of a reactor: ns=<ns>
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [mode, path, ...rest] = process.argv.slice(2);
const bytes = readFileSync(path);

function newWasi(args) {
  return new WASI({ version: 'preview1', args: [path, ...args], env: {}, returnOnExit: true });
}

if (mode === 'wasi') {
  const wasi = newWasi(rest);
  const inst = await WebAssembly.instantiate(await WebAssembly.compile(bytes), wasi.getImportObject());
  process.exitCode = wasi.start(inst);
} else if (mode === 'call') {
  const [name, arg, reps] = [rest[0], Number(rest[1]), Number(rest[2])];
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const f = instance.exports[name];
  const lines = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    const r = f(arg);
    const t1 = process.hrtime.bigint();
    lines.push(`ns=${t1 - t0} result=${r}`);
  }
  console.log(lines.join('\n'));
} else if (mode === 'startup') {
  const t0 = process.hrtime.bigint();
  const wasi = newWasi([]);
  const inst = await WebAssembly.instantiate(await WebAssembly.compile(bytes), wasi.getImportObject());
  wasi.initialize(inst);
  const t1 = process.hrtime.bigint();
  console.log(`ns=${t1 - t0}`);
} else {
  console.error('usage: node_run.mjs wasi MODULE [ARGS...] | call MODULE FUNC ARG REPS | startup MODULE');
  process.exitCode = 2;
}
