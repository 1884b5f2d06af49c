// The path and query of a request target (`req.url`). Almost every request names a
// plain path (`/v1/responses`): that is its pathname as it stands, read without a URL
// object per request. Anything else (a query, dot segments, percent escapes, `//`,
// the absolute form) goes through WHATWG URL parsing, so routing sees the same
// normalised path either way.

/** Slash-separated segments of letters, digits, `_` and `-`: nothing URL parsing would change. */
const PLAIN_PATH = /^(?:\/[\w-]+)*\/?$/;
const BASE = "http://local.invalid";
const noQuery = () => new URLSearchParams();

export interface RequestTarget {
  pathname: string;
  /** The query parameters, parsed when asked for. */
  query(): URLSearchParams;
}

export function requestTarget(target: string): RequestTarget {
  if (PLAIN_PATH.test(target)) return { pathname: target || "/", query: noQuery };
  const url = new URL(target, BASE);
  return { pathname: url.pathname, query: () => url.searchParams };
}
