// The session and every call to the API. Tokens live in this tab's
// sessionStorage (seed IV §5.2: the client alone holds the access token) and go
// out only in the Authorization header, and in the live view's `?token=` as the
// contract requires. The access token is refreshed a minute before it expires;
// a 401 tries one refresh, then goes back to the login.

const STORE = 'ondol.delivery.session';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || 'HTTP ' + status);
    this.status = status;
    this.body = body;
  }
  /** The `lock_info` of a 423 (or of a 403 on someone else's lock). */
  get lockInfo() {
    return (this.body && this.body.lock_info) || null;
  }
}

export const session = {
  access: null,
  refresh: null,
  user: null,
  // Server-local wall time minus UTC, in ms: the API's times are the configured
  // zone's, without an offset.
  offset: 0,
  onExpired: () => {},
};

let refreshTimer = null;
let refreshing = null;

function payload(jwt) {
  try {
    const b = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b));
  } catch (_) {
    return {};
  }
}

function save() {
  sessionStorage.setItem(STORE, JSON.stringify({ access: session.access, refresh: session.refresh, user: session.user }));
}

export function restore() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORE) || 'null');
    if (s && s.access && s.refresh) {
      Object.assign(session, s);
      schedule();
      return true;
    }
  } catch (_) { /* a damaged entry is no session */ }
  return false;
}

function schedule() {
  clearTimeout(refreshTimer);
  const exp = payload(session.access).exp;
  if (!exp) return;
  const wait = Math.max(5_000, exp * 1000 - Date.now() - 60_000);
  refreshTimer = setTimeout(() => { refreshTokens().catch(() => {}); }, wait);
}

export function adopt(tokens, user) {
  session.access = tokens.access_token;
  session.refresh = tokens.refresh_token;
  if (user) session.user = user;
  save();
  schedule();
}

export function clear() {
  clearTimeout(refreshTimer);
  session.access = null;
  session.refresh = null;
  session.user = null;
  sessionStorage.removeItem(STORE);
}

/** Rotates the refresh token; one at a time, whoever asks. */
export function refreshTokens() {
  if (!refreshing) {
    refreshing = (async () => {
      const r = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: session.refresh }),
      });
      const body = await r.json().catch(() => null);
      if (!r.ok || !body || !body.data) return false;
      adopt(body.data.token);
      return true;
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function send(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session.access) headers.Authorization = 'Bearer ' + session.access;
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The whole reply body of a call (the envelope), or an ApiError. */
export async function call(method, path, body, { raw = false } = {}) {
  let r = await send(method, path, body);
  if (r.status === 401 && session.refresh && await refreshTokens().catch(() => false)) {
    r = await send(method, path, body);
  }
  if (r.status === 401) {
    clear();
    session.onExpired();
  }
  if (raw && r.ok) return r;
  const json = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

export async function login(userId, password) {
  const r = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ user_id: userId, password }),
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, body);
  adopt(body.token, body.user);
  return body.user;
}

/** Checks the session and learns the server's zone from the token's expiry. */
export async function checkSession() {
  const body = await call('GET', '/auth/check-session');
  const exp = payload(session.access).exp;
  if (exp) session.offset = Date.parse(body.data.expires_at + 'Z') - exp * 1000;
  session.user = body.data.user;
  save();
  return body.data.user;
}

export async function logout() {
  const refresh = session.refresh;
  if (refresh) await call('POST', '/auth/logout', { refresh_token: refresh }).catch(() => {});
  clear();
}

export const isAdmin = () => !!session.user && session.user.user_role === 'ADMIN';

/** A server-local time (`2026-12-06T14:30:00`) as epoch milliseconds. */
export function epoch(local) {
  return Date.parse(local + 'Z') - session.offset;
}

/** Today's date in the server's zone, `YYYY-MM-DD`, `days` from now. */
export function serverDay(days = 0) {
  return new Date(Date.now() + session.offset + days * 86_400_000).toISOString().slice(0, 10);
}

/** `mm:ss` until `ms`, or 0:00. */
export function left(ms) {
  const s = Math.max(0, Math.round((ms - Date.now()) / 1000));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}
