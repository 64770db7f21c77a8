// The API client: JSON in and out, the session's CSRF token on every write,
// and problem+json errors turned into ApiError with their field messages.

let csrfToken = "";

// setCSRF keeps the token that POST /api/v1/session or GET /api/v1/session
// returned; writes with the session cookie must send it.
export function setCSRF(token) {
  csrfToken = token || "";
}

// ApiError is a failed call. status is 0 when the network failed, so the
// caller can keep the user's input and offer to try again.
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || (status ? `HTTP ${status}` : "network error"));
    this.status = status;
    this.problem = problem || {};
    // fields maps a field path such as "properties.title" to its message.
    this.fields = {};
    for (const e of this.problem.errors || []) {
      if (e && e.field && !(e.field in this.fields)) this.fields[e.field] = e.detail;
    }
  }

  get offline() {
    return this.status === 0;
  }
}

// call sends one request and returns {status, data, etag}. body, when
// given, is sent as JSON.
export async function call(method, path, { body, headers = {}, signal } = {}) {
  const h = { Accept: "application/json, application/geo+json, application/problem+json", ...headers };
  if (body !== undefined) h["Content-Type"] = body && body.type === "Feature" ? "application/geo+json" : "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) h["X-CSRF-Token"] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, null);
  }
  let data = null;
  const type = res.headers.get("Content-Type") || "";
  if (res.status !== 204 && type.includes("json")) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return { status: res.status, data, etag: res.headers.get("ETag") };
}

// get returns the JSON of a GET.
export async function get(path, opts) {
  return (await call("GET", path, opts)).data;
}

// send makes a write and returns its JSON.
export async function send(method, path, body, headers) {
  return (await call(method, path, { body, headers })).data;
}

// query builds a query string from the set values of params.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

// uuid returns a random UUID. crypto.randomUUID needs a secure context, and
// a CSWG may reach the server over plain http on a local network.
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// describe turns an error into a sentence for the user.
export function describe(err) {
  if (err instanceof ApiError) return err.message;
  return String((err && err.message) || err);
}
