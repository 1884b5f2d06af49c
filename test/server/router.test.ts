// Routing: a request naming a route's path exactly is matched by a lookup, anything else
// (a trailing slash, a parameter) through the route patterns. Both must agree on every
// route and method, or a client's URL spelling would change what answers it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { apiRoutes, matchRoute } from "#src/server/router.js";
import { ServerError } from "#src/wire/server-error.js";

function outcome(routes: ReturnType<typeof apiRoutes>, method: string, path: string): unknown {
  try {
    const { handler, param } = matchRoute(routes, method, path);
    return { handler, param };
  } catch (error) {
    assert.ok(error instanceof ServerError);
    return { status: error.status, code: error.code, headers: error.options.headers };
  }
}

describe("matchRoute", () => {
  const routes = apiRoutes(() => 0);
  const paths = [...new Set([...routes.keys()].map((key) => key.split(" ")[1]).filter((path) => !path.includes("*")))];

  it("answers a route's exact path as it answers the same path with a trailing slash, with and without /v1, for every method", () => {
    assert.ok(paths.length >= 5);
    for (const path of paths) {
      for (const prefix of ["", "/v1"]) {
        for (const method of ["GET", "POST", "DELETE", "PUT"]) {
          assert.deepEqual(outcome(routes, method, `${prefix}${path}`), outcome(routes, method, `${prefix}${path}/`), `${method} ${prefix}${path}`);
        }
      }
    }
  });

  it("routes the exact paths to their handlers and refuses other methods with 405 and Allow", () => {
    assert.equal(matchRoute(routes, "POST", "/v1/responses").handler, routes.get("POST /responses"));
    assert.equal(matchRoute(routes, "GET", "/models").handler, routes.get("GET /models"));
    assert.deepEqual(outcome(routes, "GET", "/v1/responses"), { status: 405, code: "method_not_allowed", headers: { allow: "POST" } });
    assert.deepEqual(outcome(routes, "POST", "/v2/responses"), { status: 404, code: "unknown_url", headers: undefined });
  });
});
