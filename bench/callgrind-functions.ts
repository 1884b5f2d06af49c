// Where a proxy's instructions go, by function: callgrind's self counts per function, with
// V8's compiled JavaScript named from the perf map node writes under `--perf-basic-prof`
// (callgrind sees JIT code as bare addresses). A sampling profile on a shared machine
// moves by more than the differences looked for here; these counts repeat within a few
// percent, so two proxies can be compared function by function.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

/** Node flags that make V8 write /tmp/perf-<pid>.map, interpreted frames included. */
export const PERF_MAP_FLAGS = ["--perf-basic-prof", "--interpreted-frames-native-stack"];

type Range = [start: number, size: number, name: string];

function perfMap(pid: number): Range[] {
  const file = `/tmp/perf-${pid}.map`;
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line): Range => {
        const [start, size, ...name] = line.split(" ");
        return [Number.parseInt(start, 16), Number.parseInt(size, 16), name.join(" ")];
      })
      .sort((a, b) => a[0] - b[0]);
  } finally {
    rmSync(file, { force: true });
  }
}

/** The map entry holding `address` (the last one starting at or below it), by binary search. */
function nameAt(map: Range[], address: number): string {
  let low = 0;
  let high = map.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (map[middle][0] <= address) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found >= 0 && address < map[found][0] + map[found][1] ? map[found][2] : "JS (unnamed)";
}

/**
 * Self instructions per call by function from one callgrind part (`file`) of process
 * `pid`, which ran with PERF_MAP_FLAGS: native functions by name, compiled JavaScript as
 * `JS name file:line` relative to the package. Removes the process's perf map.
 */
export function selfByFunction(file: string, pid: number, calls: number, root: string): Record<string, number> {
  const map = perfMap(pid);
  const text = execFileSync("callgrind_annotate", ["--threshold=100", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const row = /^\s*([\d,]+) \([ \d.]+%\)\s+(.*)$/.exec(line);
    if (!row || row[2].startsWith("PROGRAM TOTALS")) continue;
    const jit = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]$/.exec(row[2]);
    const name = jit
      ? `JS ${nameAt(map, Number.parseInt(jit[1], 16))
          .replace(/^(LazyCompile|JS|Function):[*~^+-]?/, "")
          .replace(`file://${root}/`, "")}`
      : row[2].replace(/^.*?:(?=[A-Za-z_~])/, "").replace(/ \[.*$/, "").replace(/\(.*$/, "");
    out[name] = (out[name] ?? 0) + Number(row[1].replaceAll(",", "")) / calls;
  }
  return out;
}

/** The `top` functions whose self count differs most between `a` and `b`, per call, with both counts. */
export function logFunctionDiff(a: Record<string, number>, b: Record<string, number>, labels: [string, string], top: number, log: (line: string) => void): void {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  const rows = [...names].map((name) => ({ name, a: a[name] ?? 0, b: b[name] ?? 0 })).sort((x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b));
  const cell = (value: number) => Math.round(value).toLocaleString("en").padStart(8);
  log(`    ${"difference".padStart(10)} ${labels[0].padStart(8)} ${labels[1].padStart(8)}  function (self instructions per call)`);
  for (const row of rows.slice(0, top)) log(`    ${cell(row.a - row.b).padStart(10)} ${cell(row.a)} ${cell(row.b)}  ${row.name.slice(0, 110)}`);
}
