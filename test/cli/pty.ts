// Runs the real CLI under a real pseudo-terminal, through Python's standard `pty`
// module (present wherever python3 is; no native Node addon to build). Node writes
// keystrokes to the helper's stdin, the helper copies them to the pty master and copies
// everything the CLI prints back to Node.
import { spawn, spawnSync } from "node:child_process";
import { BIN } from "../support/cli.js";

const PTY_HELPER = `
import fcntl, os, pty, select, struct, sys, termios
cols, rows = int(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(sys.argv[3], sys.argv[3:])
stdin_open = True
while True:
    readable, _, _ = select.select([fd] + ([0] if stdin_open else []), [], [])
    if fd in readable:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    if 0 in readable:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            stdin_open = False
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`;

/** Why pty tests cannot run here, or undefined when they can. */
export function ptyUnavailable(): string | undefined {
  if (process.platform === "win32") return "no POSIX pseudo-terminals on Windows";
  const probe = spawnSync("python3", ["-c", "import pty, termios, fcntl"], { encoding: "utf8" });
  return probe.status === 0 ? undefined : "python3 with the pty module is not available";
}

export interface PtySession {
  /** Send keystrokes (Enter is "\r", Ctrl-C "\x03", Ctrl-D "\x04"). */
  write(keys: string): void;
  /** Everything the CLI printed so far (stdout and stderr share the terminal). */
  output(): string;
  /** Resolves once `pattern` matches the output after offset `from`. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<void>;
  exit: Promise<number | null>;
  kill(): void;
}

export function spawnCliInPty(args: string[], env: Record<string, string | undefined>, size = { cols: 100, rows: 40 }): PtySession {
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, TERM: "xterm", ...env })) if (value !== undefined) childEnv[key] = value;
  const child = spawn("python3", ["-c", PTY_HELPER, String(size.cols), String(size.rows), process.execPath, BIN, ...args], {
    env: childEnv,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let text = "";
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const listener of listeners) listener();
  });
  const exit = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return {
    write: (keys) => void child.stdin.write(keys),
    output: () => text,
    exit,
    kill: () => void child.kill("SIGKILL"),
    waitFor(pattern, from = 0, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(stripAnsi(text.slice(from)))) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`terminal never showed ${pattern}; it shows:\n${screen(text.slice(from))}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function stripAnsi(text: string): string {
  return text.replace(CSI, "");
}

/**
 * The text as a terminal would leave it, line by line: carriage returns rewind,
 * "erase line/below" truncates, cursor-to-column moves; colours are dropped.
 */
export function screen(text: string): string {
  const lines: string[] = [];
  let line = "";
  let cursor = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\x1b") {
      const match = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(text.slice(i));
      if (!match) continue;
      i += match[0].length - 1;
      const [, params, command] = match;
      if (command === "K" || command === "J") line = line.slice(0, cursor);
      else if (command === "G") cursor = Math.max(0, Number(params || "1") - 1);
      continue;
    }
    if (char === "\r") cursor = 0;
    else if (char === "\n") {
      lines.push(line);
      line = "";
      cursor = 0;
    } else {
      line = line.slice(0, cursor).padEnd(cursor) + char + line.slice(cursor + 1);
      cursor += 1;
    }
  }
  if (line) lines.push(line);
  return lines.join("\n");
}
