// api.js: a small client for shopfn's JSON API, shared by the console and
// the storefront. Every non-2xx answer is thrown as a Problem carrying the
// problem+json body (RFC 9457) the API sends, so that the page can show
// its `detail` as it is.

// Problem is an API error: status, code (stable, e.g. "out_of_stock") and
// detail (a sentence for people), plus the whole body.
export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || "";
    this.detail = body.detail || "";
    this.body = body;
  }
  // changedElsewhere says the write lost to another one: the ETag it sent
  // in If-Match is no longer the resource's (412), or a race the API settled
  // (409 conflict).
  get changedElsewhere() {
    return this.status === 412 || this.code === "precondition_failed";
  }
}

// call sends one request. opts: body (sent as JSON), key (the admin key,
// as x-functions-key), token (a customer's bearer token), ifMatch (an ETag),
// headers (more headers). It returns {status, data, etag}: data is the
// parsed JSON body, or null for 204.
export async function call(method, path, opts = {}) {
  const headers = { Accept: "application/json", ...(opts.headers || {}) };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.key) headers["x-functions-key"] = opts.key;
  if (opts.token) headers["Authorization"] = "Bearer " + opts.token;
  if (opts.ifMatch) headers["If-Match"] = opts.ifMatch;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: "omit", // shopfn uses no cookies
    });
  } catch (err) {
    throw new Problem(0, { code: "network", detail: "The API could not be reached: " + err.message });
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text };
    }
  }
  if (!res.ok) throw new Problem(res.status, data || {});
  return { status: res.status, data, etag: res.headers.get("ETag") };
}

// missingRoute says a Problem is the API's answer for a path no route
// serves: a capability this server does not have (yet).
export function missingRoute(err) {
  return err instanceof Problem && err.status === 404 && /^no route for /.test(err.detail);
}
