// A bounded HTTP client for the scenarios: N requests with at most C in flight over
// keep-alive loopback connections, each body read to the end.
import { Agent, request } from "node:http";

export interface Reply {
  status: number;
  body: string;
}

export function post(url: string, key: string, body: unknown, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** Runs `count` calls of `one(i)` with `concurrency` in flight; returns the failures. */
export async function runPool(count: number, concurrency: number, one: (i: number) => Promise<boolean>): Promise<number> {
  let next = 0;
  let failures = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const ok = await one(i).catch(() => false);
      if (!ok) failures++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return failures;
}
