// What the Node interoperability clients share: REST calls, accounts, waiting.
'use strict';

module.exports = function interop(name, base, timeout) {
  const fail = (why) => {
    console.error(`${name} FAILED: ${why}`);
    process.exit(1);
  };

  async function rest(method, path, body, token) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) fail(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function account(who) {
    const email = `${who}-${Math.random().toString(16).slice(2, 10)}@interop.test`;
    await rest('POST', '/auth/signup', { email, password: 'interop-pass', name: who });
    const login = await rest('POST', '/auth/login', { email, password: 'interop-pass' });
    return { token: login.accessToken, id: login.user.id };
  }

  function waitFor(predicate, what) {
    return new Promise((resolve) => {
      const started = Date.now();
      const tick = () => {
        const v = predicate();
        if (v) return resolve(v);
        if (Date.now() - started > timeout) fail(`timed out waiting for ${what}`);
        setTimeout(tick, 20);
      };
      tick();
    });
  }

  return { fail, rest, account, waitFor };
};
