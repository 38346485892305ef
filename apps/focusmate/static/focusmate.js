// Focus Mate's page: log in, see public rooms, create or join one, follow the
// shared timer live over the WebSocket, see who is in the room, and the
// leaderboard. Plain JavaScript against the documented API; the token is kept in
// localStorage (seed §6.1) and sent as a bearer token, and in the WebSocket's
// `?token=` as the contract requires.
(() => {
  'use strict';

  const API = '/api/v1';
  const $ = (id) => document.getElementById(id);
  const state = {
    token: localStorage.getItem('focusmate.token'),
    user: JSON.parse(localStorage.getItem('focusmate.user') || 'null'),
    room: null,
    period: 'weekly',
    ws: null,
    backoff: 500,
    ping: null,
    endsAt: null,
    pausedMs: 0,
    unread: 0,
  };

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || 'Request failed (' + status + ')');
      this.status = status;
      this.body = body;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    const r = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = null;
    try { json = await r.json(); } catch (_) { /* an empty or non-JSON body */ }
    if (r.status === 401 && state.token) {
      // Seed §7.2: an expired token goes back to the login page.
      logout();
    }
    if (!r.ok) throw new ApiError(r.status, json);
    return json ? json.data : null;
  }

  function toast(text) {
    const t = $('toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 3500);
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const c of children) node.append(c);
    return node;
  }

  // ---- accounts ----

  let registering = false;
  function setRegistering(on) {
    registering = on;
    $('username-row').hidden = !on;
    $('login-title').textContent = on ? 'Create an account' : 'Log in';
    $('login-submit').textContent = on ? 'Create account' : 'Log in';
    $('toggle-register').textContent = on ? 'Have an account? Log in' : 'New here? Create an account';
    $('login-error').textContent = '';
  }

  async function submitLogin(ev) {
    ev.preventDefault();
    const email = $('email').value.trim();
    const password = $('password').value;
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    try {
      if (registering) {
        await api('POST', '/auth/register', { email, password, username: $('username').value.trim() });
      }
      const data = await api('POST', '/auth/login', { email, password });
      state.token = data.access_token;
      state.user = data.user;
      localStorage.setItem('focusmate.token', state.token);
      localStorage.setItem('focusmate.user', JSON.stringify(state.user));
      $('password').value = '';
      showApp();
    } catch (e) {
      const details = e.body && e.body.error && e.body.error.details;
      $('login-error').textContent = details && details.length
        ? details.map((d) => d.field + ': ' + d.message).join('; ')
        : e.message;
    } finally {
      $('login-submit').disabled = false;
    }
  }

  function logout() {
    state.token = null;
    state.user = null;
    state.room = null;
    localStorage.removeItem('focusmate.token');
    localStorage.removeItem('focusmate.user');
    if (state.ws) {
      state.ws.onclose = null;
      state.ws.close();
      state.ws = null;
    }
    clearInterval(state.ping);
    showLogin();
  }

  function showLogin() {
    $('app-view').hidden = true;
    $('who').hidden = true;
    $('notifications').hidden = true;
    $('login-view').hidden = false;
    setRegistering(false);
  }

  async function showApp() {
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    $('who').hidden = false;
    $('me').textContent = state.user.username;
    $('my-id').textContent = state.user.id;
    connect();
    await Promise.all([loadRooms(), loadMine(), loadLeaderboard(), loadNotifications()]);
  }

  // ---- rooms ----

  function phasePill(timer) {
    const label = timer.phase === 'idle' ? 'idle' : timer.phase + (timer.is_running ? '' : ' · paused');
    return el('span', { className: 'pill ' + timer.phase, textContent: label });
  }

  async function loadRooms() {
    const rooms = await api('GET', '/rooms?limit=50');
    const list = $('room-list');
    list.replaceChildren();
    if (!rooms.length) {
      list.append(el('li', { className: 'muted', textContent: 'No public rooms yet.' }));
    }
    for (const room of rooms) {
      const inside = room.participants.some((p) => p.user_id === state.user.id);
      const button = el('button', {
        className: inside ? 'ghost' : 'primary',
        type: 'button',
        textContent: inside ? 'Open' : 'Join',
      });
      button.dataset.join = room.id;
      button.disabled = !inside && room.participant_count >= room.max_participants;
      button.addEventListener('click', () => (inside ? openRoom(room.id) : joinRoom(room.id)));
      list.append(el('li', {},
        el('div', {},
          el('div', { className: 'title', textContent: room.name }, phasePill(room.timer)),
          el('div', {
            className: 'meta',
            textContent: room.participant_count + '/' + room.max_participants + ' · ' +
              room.focus_minutes + '/' + room.break_minutes + ' min',
          })),
        button));
    }
  }

  async function loadMine() {
    const mine = await api('GET', '/rooms/mine');
    if (!state.room && mine.length) showRoom(mine[0]);
  }

  async function openRoom(id) {
    try {
      showRoom(await api('GET', '/rooms/' + id));
    } catch (e) { toast(e.message); }
  }

  async function joinRoom(id) {
    try {
      showRoom(await api('POST', '/rooms/' + id + '/join', {}));
      loadRooms();
    } catch (e) { toast(e.message); }
  }

  async function createRoom(ev) {
    ev.preventDefault();
    try {
      const room = await api('POST', '/rooms', {
        name: $('room-name').value.trim(),
        focus_minutes: Number($('room-focus').value),
        break_minutes: Number($('room-break').value),
        is_public: $('room-public').checked,
      });
      $('room-name').value = '';
      showRoom(room);
      loadRooms();
    } catch (e) { toast(e.message); }
  }

  async function leaveRoom() {
    if (!state.room) return;
    try {
      await api('POST', '/rooms/' + state.room.id + '/leave', {});
    } catch (e) { toast(e.message); }
    showRoom(null);
    loadRooms();
  }

  async function timerCommand(command) {
    if (!state.room) return;
    try {
      showRoom(await api('POST', '/rooms/' + state.room.id + '/timer/' + command, {}));
    } catch (e) { toast(e.message); }
  }

  async function invite(ev) {
    ev.preventDefault();
    const id = $('invite-id').value.trim();
    if (!id || !state.room) return;
    try {
      await api('POST', '/rooms/' + state.room.id + '/invite', { user_id: id });
      $('invite-id').value = '';
      toast('Invitation sent');
    } catch (e) { toast(e.message); }
  }

  // Shows `room` (null: none), unless an older state of the same room arrives
  // after a newer one.
  function showRoom(room) {
    if (room && state.room && room.id === state.room.id && room.version < state.room.version) return;
    state.room = room;
    $('no-room').hidden = !!room;
    $('room-view').hidden = !room;
    const panel = $('room-panel');
    panel.classList.remove('focus', 'break', 'idle');
    if (!room) { state.endsAt = null; return; }
    panel.classList.add(room.timer.phase);
    $('room-name-view').textContent = room.name;
    $('room-description').textContent = room.description || '';
    $('lengths').textContent = room.focus_minutes + ' min focus · ' + room.break_minutes + ' min break';
    $('count').textContent = room.participant_count + '/' + room.max_participants;
    const isHost = room.host_id === state.user.id;
    const t = room.timer;
    const paused = t.phase !== 'idle' && !t.is_running;
    $('start').textContent = paused ? 'Resume' : 'Start';
    $('start').disabled = !isHost || t.is_running;
    $('pause').disabled = !isHost || !t.is_running;
    $('reset').disabled = !isHost || t.phase === 'idle';
    // The button to press next stands out.
    $('start').className = t.is_running ? 'ghost' : 'primary';
    $('pause').className = t.is_running ? 'primary' : 'ghost';
    $('host-note').textContent = isHost ? '' : 'The host runs the timer.';
    const people = $('participants');
    people.replaceChildren();
    for (const p of room.participants) {
      const li = el('li', {},
        el('span', { className: 'avatar', textContent: (p.username[0] || '?').toUpperCase() }),
        el('span', { textContent: p.username }));
      if (p.user_id === room.host_id) li.append(el('span', { className: 'host', textContent: 'host' }));
      people.append(li);
    }
    setTimer(room.timer);
  }

  // The phase's end on this clock: the server's `ends_at`, unless this clock is
  // off by more than a second and a half, then from `remaining_seconds`.
  function setTimer(timer) {
    $('phase').textContent = timer.phase === 'idle'
      ? 'Idle'
      : (timer.phase === 'focus' ? 'Focus' : 'Break') + (timer.is_running ? '' : ' · paused');
    if (timer.is_running && timer.ends_at) {
      const fromServer = Date.parse(timer.ends_at);
      const fromRemaining = Date.now() + timer.remaining_seconds * 1000;
      state.endsAt = Math.abs(fromServer - fromRemaining) > 1500 ? fromRemaining : fromServer;
    } else {
      state.endsAt = null;
      state.pausedMs = timer.remaining_seconds * 1000;
    }
    tick();
  }

  function tick() {
    const room = state.room;
    if (!room) return;
    const left = state.endsAt === null ? state.pausedMs : Math.max(0, state.endsAt - Date.now());
    const seconds = Math.ceil(left / 1000);
    const mm = String(Math.floor(seconds / 60)).padStart(2, '0');
    const ss = String(seconds % 60).padStart(2, '0');
    $('remaining').textContent = mm + ':' + ss;
    const minutes = room.timer.phase === 'break' ? room.break_minutes : room.focus_minutes;
    const total = minutes * 60000;
    const fraction = room.timer.phase === 'idle' ? 1 : Math.min(1, left / total);
    $('progress').style.strokeDashoffset = String(326.73 * (1 - fraction));
    document.title = room.timer.phase === 'idle' ? 'Focus Mate' : mm + ':' + ss + ' · Focus Mate';
  }

  // ---- leaderboard and notifications ----

  async function loadLeaderboard() {
    const entries = await api('GET', '/leaderboard?period=' + state.period);
    const list = $('leaderboard');
    list.replaceChildren();
    if (!entries.length) list.append(el('li', { className: 'muted', textContent: 'No focus time yet.' }));
    for (const e of entries) {
      const hours = Math.floor(e.focus_minutes / 60);
      const text = (hours ? hours + 'h ' : '') + (e.focus_minutes % 60) + 'm';
      list.append(el('li', { className: e.user_id === state.user.id ? 'me' : '' },
        el('span', { className: 'rank', textContent: String(e.rank) }),
        el('span', { className: 'name', textContent: e.username }),
        el('span', { className: 'mins', textContent: text })));
    }
  }

  function setUnread(n) {
    state.unread = Math.max(0, n);
    $('unread').textContent = String(state.unread);
    $('unread').hidden = state.unread === 0;
  }

  function notificationItem(n) {
    return el('li', { className: n.is_read ? '' : 'unread' },
      el('div', {}, el('strong', { textContent: n.title })),
      el('div', { textContent: n.message }),
      el('div', { className: 'when', textContent: new Date(n.created_at).toLocaleString() }));
  }

  async function loadNotifications() {
    const list = await api('GET', '/notifications?limit=30');
    $('notification-list').replaceChildren(...list.map(notificationItem));
    setUnread(list.filter((n) => !n.is_read).length);
  }

  // ---- live channel ----

  function connect() {
    if (!state.token) return;
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + API + '/notifications/ws?token=' +
      encodeURIComponent(state.token));
    state.ws = ws;
    ws.onopen = () => {
      state.backoff = 500;
      $('live').textContent = 'live';
      $('live').classList.add('on');
      clearInterval(state.ping);
      state.ping = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping', data: {} }));
      }, 25000);
    };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (_) { return; }
      if (m.type === 'room_state') onRoomState(m.data);
      else if (m.type === 'notification') onNotification(m.data);
    };
    ws.onclose = (ev) => {
      $('live').textContent = 'offline';
      $('live').classList.remove('on');
      clearInterval(state.ping);
      if (ev.code === 4401) { logout(); return; }
      // Reconnect with back-off; the server sends the rooms' states again.
      setTimeout(connect, state.backoff);
      state.backoff = Math.min(state.backoff * 2, 10000);
    };
  }

  // The list shows counts and phases too: read again, at most every 300 ms.
  function refreshListSoon() {
    clearTimeout(refreshListSoon.timer);
    refreshListSoon.timer = setTimeout(() => loadRooms().catch(() => {}), 300);
  }

  function onRoomState(room) {
    refreshListSoon();
    const inside = room.participants.some((p) => p.user_id === state.user.id);
    if (state.room && state.room.id === room.id) {
      showRoom(inside ? room : null);
    } else if (!state.room && inside) {
      showRoom(room);
    }
  }

  function onNotification(n) {
    $('notification-list').prepend(notificationItem(n));
    setUnread(state.unread + 1);
    toast(n.title + ': ' + n.message);
    if (n.type === 'phase_ended') loadLeaderboard();
  }

  // ---- wiring ----

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', submitLogin);
    $('toggle-register').addEventListener('click', () => setRegistering(!registering));
    $('logout').addEventListener('click', logout);
    $('create-form').addEventListener('submit', createRoom);
    $('refresh-rooms').addEventListener('click', loadRooms);
    $('leave').addEventListener('click', leaveRoom);
    $('start').addEventListener('click', () => timerCommand('start'));
    $('pause').addEventListener('click', () => timerCommand('pause'));
    $('reset').addEventListener('click', () => timerCommand('reset'));
    $('invite-form').addEventListener('submit', invite);
    $('bell').addEventListener('click', () => { $('notifications').hidden = !$('notifications').hidden; });
    $('read-all').addEventListener('click', async () => {
      await api('POST', '/notifications/read-all', {});
      loadNotifications();
    });
    for (const b of document.querySelectorAll('.tabs button')) {
      b.addEventListener('click', () => {
        state.period = b.dataset.period;
        for (const o of document.querySelectorAll('.tabs button')) o.classList.toggle('on', o === b);
        loadLeaderboard();
      });
    }
    setInterval(tick, 250);
    setInterval(() => { if (state.token && !document.hidden) loadRooms().catch(() => {}); }, 15000);
    if (state.token && state.user) showApp().catch(() => {});
    else showLogin();
  });
})();
