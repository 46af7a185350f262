// `perf script` output (Linux perf's on-CPU samples with call stacks) turned into a V8-style CPU
// profile (.cpuprofile: nodes, samples, timeDeltas), so a process of any language gets the same
// hotspot analysis, audits and flame graph as a Node target. Format (tools/perf/builtin-script.c, as
// `perf script -F comm,pid,tid,time,event,ip,sym,dso` prints it): a header line
//   "comm pid/tid  seconds.micros: event:"
// then one frame per line, leaf first, "ip sym (dso)" — "[unknown]" when not symbolised — and a
// blank line after each sample. Frames of the process's own executable (`mainDso`, unless it is a
// runtime such as node or python) get a file URL, so the analysis counts them as the application's
// code; JIT frames of a Node started with --perf-basic-prof get their function, file and line, and
// those of a Python 3.12+ started with -X perf their function, file and (read from the source by the
// caller) the line of its def (the interpreter's frames under them are folded into them); libraries and the kernel stay native. Pure.
import { pathToFileURL } from 'node:url';

export interface PerfConvertOptions {
  /** Only samples of this process (its threads). */
  pid?: number;
  /** Path of the process's executable (/proc/PID/exe): its frames are the application's. */
  mainDso?: string;
  /** The 1-based line of a Python function's def, by file and qualified name (the probe reads the source). */
  pythonLine?: (file: string, qualname: string) => number | null;
}

const HEADER = /^\s*(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[\d+\]\s+)?(\d+\.\d+):\s/;
const FRAME = /^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$/;

interface Frame {
  fn: string;
  dso: string;
}

/** Executables that run other code: their own frames are the runtime's, not the application's. */
const RUNTIME = /(^|\/)(node|nodejs|bun|deno|python[\d.]*|pypy[\d.]*|ruby|java|php[\d.-]*|perl[\d.]*|beam\.smp|dotnet)$/;
/** JIT code symbolised from /tmp/perf-PID.map (Node --perf-basic-prof). */
const PERF_MAP = /\/perf-\d+\.map$/;
const JIT_NAME = /^(?:JS|LazyCompile|Function|InterpretedFunction|Script|Eval):[*~^+]?(\S*)(?:\s+(\S+))?$/;
/** A Python 3.12+ function (trampoline written by `python -X perf` to the perf map): "py::checksum:/srv/app.py". */
const PY_NAME = /^py::(.+?):(\/.*)$/;
/** CPython's own code: the evaluation loop and object machinery running a Python function ("(inlined)": inlined parts of it). */
const PY_RUNTIME_DSO = /(^|\/)(libpython[\d.]*\.so[\d.]*|python[\d.]*)$|^inlined$/;

export function perfScriptToCpuProfile(
  text: string,
  o: PerfConvertOptions = {},
): { nodes: unknown[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] } {
  type Node = {
    id: number;
    callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
    children: number[];
    hitCount: number;
    kids: Map<string, Node>;
  };
  const root: Node = {
    id: 1,
    callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
    children: [],
    hitCount: 0,
    kids: new Map(),
  };
  const all: Node[] = [root];
  const samples: number[] = [];
  const times: number[] = [];
  const child = (parent: Node, f: Frame): Node => {
    const key = `${f.fn}\u0000${f.dso}`;
    let n = parent.kids.get(key);
    if (!n) {
      n = { id: all.length + 1, callFrame: callFrameOf(f), children: [], hitCount: 0, kids: new Map() };
      all.push(n);
      parent.kids.set(key, n);
      parent.children.push(n.id);
    }
    return n;
  };
  // An interpreter's or a runtime's own executable is not the application: its frames stay native.
  const ownDso = o.mainDso !== undefined && !RUNTIME.test(o.mainDso) ? o.mainDso : undefined;
  const callFrameOf = (f: Frame): Node['callFrame'] => {
    const py = PERF_MAP.test(f.dso) ? PY_NAME.exec(f.fn) : null;
    // The perf map names the function (its qualified name) and its file only: the line of its def
    // comes from the source, when the caller can read it.
    if (py) {
      const line = o.pythonLine?.(py[2]!, py[1]!) ?? null;
      return {
        functionName: py[1]!,
        scriptId: '0',
        url: pathToFileURL(py[2]!).href,
        lineNumber: line === null ? -1 : line - 1,
        columnNumber: line === null ? -1 : 0,
      };
    }
    const jit = PERF_MAP.test(f.dso) ? JIT_NAME.exec(f.fn) : null;
    if (jit) {
      // Node with --perf-basic-prof: "JS:*computeScore file:///srv/app.js:12:3" (older V8: LazyCompile:…).
      const where = jit[2] ?? '';
      const m = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(where)!;
      const url = m[1]!.startsWith('/') ? pathToFileURL(m[1]!).href : m[1]!;
      return {
        functionName: jit[1] || '(anonymous)',
        scriptId: '0',
        url,
        lineNumber: m[2] ? Number(m[2]) - 1 : 0,
        columnNumber: m[3] ? Number(m[3]) - 1 : 0,
      };
    }
    const own = ownDso !== undefined && f.dso === ownDso;
    // No line for native code (perf script gives none without debug info and addr2line).
    return {
      functionName: f.fn === '[unknown]' ? `[unknown] (${f.dso})` : f.fn,
      scriptId: '0',
      url: own ? pathToFileURL(f.dso).href : '',
      lineNumber: -1,
      columnNumber: -1,
    };
  };
  let frames: Frame[] | null = null;
  let time = 0;
  const flush = () => {
    if (frames && frames.length) {
      foldInterpreter(frames);
      let n = root;
      for (let i = frames.length - 1; i >= 0; i--) n = child(n, frames[i]!);
      n.hitCount++;
      samples.push(n.id);
      times.push(time);
    }
    frames = null;
  };
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      flush();
      continue;
    }
    const h = HEADER.exec(line);
    if (h && !line.startsWith('\t') && !/^\s+[0-9a-f]+\s/.test(line)) {
      flush();
      const pid = Number(h[2]);
      frames = o.pid === undefined || pid === o.pid ? [] : null;
      time = Math.round(Number(h[4]) * 1e6);
      continue;
    }
    const f = FRAME.exec(line);
    if (f && frames) frames.push({ fn: f[2]!.replace(/\+0x[0-9a-f]+$/, ''), dso: f[3]! });
  }
  flush();
  const order = samples.map((s, i) => ({ s, t: times[i]! })).sort((a, b) => a.t - b.t);
  const startTime = order.length ? order[0]!.t : 0;
  const timeDeltas = order.map((x, i) => (i === 0 ? 0 : x.t - order[i - 1]!.t));
  const last = order.length ? order[order.length - 1]!.t : 0;
  const mean = order.length > 1 ? (last - startTime) / (order.length - 1) : 0;
  return {
    nodes: all.map(({ kids: _k, ...n }) => n),
    startTime,
    endTime: last + Math.round(mean),
    samples: order.map((x) => x.s),
    timeDeltas,
  };
}

/**
 * The interpreter's frames between a Python function and what it calls are that function running:
 * CPython's evaluation loop (_PyEval_EvalFrameDefault) and its object machinery (_PyLong_Add,
 * _PyObject_Malloc …) under `py::checksum` are checksum's own work. They are dropped (leaf side of
 * the innermost Python frame only), so the Python function gets the self time and a C extension or
 * a system call it makes stays below it. Frames are leaf first.
 */
function foldInterpreter(frames: Frame[]): void {
  const k = frames.findIndex((f) => PERF_MAP.test(f.dso) && PY_NAME.test(f.fn));
  if (k <= 0) return;
  const kept = frames.slice(0, k).filter((f) => !PY_RUNTIME_DSO.test(f.dso));
  frames.splice(0, k, ...kept);
}
