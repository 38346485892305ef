// The live view (`/dashboard/ws`): every order change and lock event from any
// instance. On a reconnect the caller reloads what it shows, so nothing that
// happened during the gap is missed; retries back off from 0.5 s to 15 s.

import { session } from './api.js';
import { t } from './i18n.js';

let socket = null;
let backoff = 500;
let retry = null;
let everOpen = false;

function mark(state) {
  const n = document.getElementById('live');
  n.dataset.state = state;
  n.textContent = t(state === 'on' ? 'live.on' : state === 'off' ? 'live.off' : 'live.connecting');
}

/** Connects; `onEvent(type, data)` per event, `onGap()` after a reconnect. */
export function connect(onEvent, onGap) {
  stop();
  mark('connecting');
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const ws = new WebSocket(scheme + location.host + '/dashboard/ws?token=' + encodeURIComponent(session.access));
  socket = ws;
  ws.onopen = () => {
    backoff = 500;
    mark('on');
    if (everOpen) onGap();
    everOpen = true;
  };
  ws.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch (_) { return; }
    onEvent(ev.type, ev.data);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    mark('off');
    if (!session.access) return;
    // A lost connection means events may have been missed: catch up on return.
    everOpen = true;
    retry = setTimeout(() => connect(onEvent, onGap), backoff);
    backoff = Math.min(backoff * 2, 15_000);
  };
}

export function stop() {
  clearTimeout(retry);
  if (socket) {
    const ws = socket;
    socket = null;
    ws.onclose = null;
    ws.close();
  }
}

export function reset() {
  everOpen = false;
  backoff = 500;
}
