// One order: its fields, remarks and status, and the seed's lock flows (IV
// §3.3–3.4). A status button takes a STATUS lock, applies the transition and
// releases it; Edit takes an EDIT lock that Save or Cancel releases; a lock
// held by someone else shows who and for how long, and makes the panel
// read-only until the live view says the lock is gone.

import { ENUMS, label, t } from './i18n.js';
import { ApiError, call, isAdmin, left, session } from './api.js';
import { clearLock, lockOf, setLock, upsert } from './table.js';
import { toast } from './ui.js';

// The transitions a user may make (spec: status workflow); an admin may make any.
const NEXT = { WAITING: ['IN_PROGRESS', 'CANCEL'], IN_PROGRESS: ['COMPLETE', 'ISSUE', 'CANCEL'] };
const FINAL = ['COMPLETE', 'ISSUE', 'CANCEL'];
const FIELDS = ['eta', 'sla', 'postal_code', 'address', 'customer', 'contact', 'driver_name', 'driver_contact'];
const OPTIONAL = ['contact', 'driver_name', 'driver_contact'];

const state = { d: null, editing: false, busy: false, editingRemark: null, lockKey: '' };
const $ = (id) => document.getElementById(id);

export const openId = () => (state.d ? state.d.dashboard_id : null);

function mine(lock) {
  return !!lock && !!session.user && lock.locked_by === session.user.user_id;
}

/** Shows a failure: on 423 (or 403 with a lock) the holder, and read-only. */
function fail(e, where) {
  if (e instanceof ApiError && e.lockInfo) {
    setLock(e.lockInfo);
    render();
    toast(t('lock.taken', { who: e.lockInfo.locked_by }), true);
    return;
  }
  const details = e.body && e.body.details;
  const text = details && details.length ? details.map((d) => d.field + ': ' + d.message).join(' · ') : e.message;
  if (where) $(where).textContent = text; else toast(text, true);
}

export async function open(id) {
  if (state.editing && state.d && state.d.dashboard_id !== id) await cancelEdit();
  try {
    const body = await call('GET', '/dashboard/' + id);
    show(body.data);
    $('detail').hidden = false;
  } catch (e) {
    fail(e);
  }
}

function show(d) {
  const changed = !state.d || state.d.dashboard_id !== d.dashboard_id;
  state.d = d;
  if (changed) {
    state.editing = false;
    state.editingRemark = null;
  }
  if (d.is_locked && d.lock_info) setLock(d.lock_info);
  else if (!state.editing) clearLock(d.dashboard_id);
  render({ fillForm: changed || !state.editing });
}

export function close() {
  if (state.editing) cancelEdit();
  state.d = null;
  $('detail').hidden = true;
}

/** A change from the live view (an event carries the whole detail). */
export function changed(d) {
  if (state.d && state.d.dashboard_id === d.dashboard_id) {
    state.d = { ...d, is_locked: state.d.is_locked, lock_info: state.d.lock_info };
    render({ fillForm: !state.editing });
  }
}

export function deleted(ids) {
  if (state.d && ids.includes(state.d.dashboard_id)) {
    toast(state.d.order_no + ' ×', true);
    state.editing = false;
    close();
  }
}

export function lockChanged(id) {
  if (state.d && state.d.dashboard_id === id) render();
}

function lockKey(lock) {
  return lock ? lock.locked_by + '|' + lock.lock_type : '';
}

/** The banner's words alone, so the countdown never rebuilds a button under a click. */
function bannerText() {
  const node = $('lock-text');
  const lock = state.d && lockOf(state.d.dashboard_id);
  if (!node || !lock) return;
  node.textContent = mine(lock)
    ? t('lock.mine', { left: left(lock.until) })
    : t('lock.other', { who: lock.locked_by, left: left(lock.until) });
}

function fmt(v) {
  return v ? v.replace('T', ' ').slice(0, 16) : '—';
}

export function render({ fillForm = false } = {}) {
  const d = state.d;
  if (!d) return;
  const lock = lockOf(d.dashboard_id);
  const other = lock && !mine(lock);
  if (state.editing && !mine(lock)) state.editing = false;
  $('d-title').textContent = d.order_no;
  $('d-status').className = 'badge s-' + d.status;
  $('d-status').textContent = label('status', d.status);
  $('d-meta').textContent = [label('type', d.type), d.department, label('warehouse', d.warehouse), '#' + d.dashboard_id].join(' · ');

  const banner = $('lock-banner');
  banner.hidden = !lock;
  banner.classList.toggle('mine', !!lock && !other);
  state.lockKey = lockKey(lock);
  if (lock) {
    const text = document.createElement('span');
    text.id = 'lock-text';
    banner.replaceChildren(text);
    bannerText();
    if (!other || isAdmin()) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.id = 'release';
      b.textContent = t('action.release');
      b.addEventListener('click', release);
      banner.append(' ', b);
    }
  }

  const targets = isAdmin() ? ENUMS.status.filter((s) => s !== d.status) : (NEXT[d.status] || []);
  $('status-actions').replaceChildren(...targets.map((s) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'status-btn s-' + s;
    b.dataset.status = s;
    b.textContent = t('status.to', { s: label('status', s) });
    b.disabled = !!other || state.busy;
    b.addEventListener('click', () => changeStatus(s));
    return b;
  }));

  const form = $('fields-form');
  const frozen = FINAL.includes(d.status) && !isAdmin();
  for (const name of FIELDS) {
    const input = form.elements[name];
    if (fillForm) input.value = name === 'eta' ? d.eta.slice(0, 16) : (d[name] ?? '');
    input.disabled = !state.editing;
  }
  $('edit').hidden = state.editing;
  $('edit').disabled = !!other || frozen || state.busy;
  $('save').hidden = !state.editing;
  $('cancel-edit').hidden = !state.editing;
  if (fillForm) $('fields-error').textContent = '';

  const facts = [
    ['field.region', d.region],
    ['field.create_time', fmt(d.create_time)],
    ['field.depart_time', fmt(d.depart_time)],
    ['field.complete_time', fmt(d.complete_time)],
    ['field.distance', d.distance == null ? '—' : d.distance + ' ' + t('unit.km')],
    ['field.duration_time', d.duration_time == null ? '—' : d.duration_time + ' ' + t('unit.min')],
    ['field.created_by', d.created_by || '—'],
  ];
  $('d-facts').replaceChildren(...facts.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = t(k);
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));

  $('remarks').replaceChildren(...d.remarks.map(remarkNode));
  $('remark-text').disabled = !!other;
  $('remark-add').disabled = !!other;
}

function remarkNode(r) {
  const li = document.createElement('li');
  li.dataset.id = r.remark_id;
  const head = document.createElement('div');
  head.className = 'remark-head';
  head.textContent = r.created_by + ' · ' + fmt(r.created_at) + (r.updated_at ? ' · ' + t('remark.edited') : '');
  const mayEdit = session.user && (r.created_by === session.user.user_id || isAdmin());
  if (state.editingRemark === r.remark_id) {
    const area = document.createElement('textarea');
    area.value = r.content;
    area.rows = 2;
    area.maxLength = 1000;
    const save = document.createElement('button');
    save.type = 'button';
    save.textContent = t('remark.save');
    save.addEventListener('click', () => editRemark(r.remark_id, area.value));
    li.append(head, area, save);
    return li;
  }
  const body = document.createElement('p');
  body.textContent = r.content || t('remark.empty');
  if (!r.content) body.className = 'muted';
  li.append(head, body);
  if (mayEdit) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link';
    b.textContent = t('remark.edit');
    b.addEventListener('click', () => { state.editingRemark = r.remark_id; render(); });
    head.append(' ', b);
  }
  return li;
}

async function reload() {
  const body = await call('GET', '/dashboard/' + state.d.dashboard_id);
  show(body.data);
  upsert(body.data);
}

async function busy(fn) {
  state.busy = true;
  render();
  try {
    await fn();
  } finally {
    state.busy = false;
    render();
  }
}

async function takeLock(type) {
  const id = state.d.dashboard_id;
  const body = await call('POST', '/dashboard/' + id + '/lock', { lock_type: type });
  setLock({ ...body.data, dashboard_id: id });
  return body.data;
}

async function dropLock(id) {
  await call('DELETE', '/dashboard/' + id + '/lock');
  clearLock(id);
}

async function changeStatus(target) {
  const d = state.d;
  const id = d.dashboard_id;
  await busy(async () => {
    // Seed IV §3.3: lock, change, release; a lock already mine is used and kept.
    const held = mine(lockOf(id));
    let took = false;
    try {
      if (!held) {
        await takeLock('STATUS');
        took = true;
      }
      await call('PATCH', '/dashboard/' + id + '/status', { status: target, is_admin: isAdmin() });
      toast(t('status.changed', { no: d.order_no, s: label('status', target) }));
    } catch (e) {
      fail(e);
    } finally {
      if (took) await dropLock(id).catch(() => {});
    }
    await reload().catch(() => {});
  });
}

async function startEdit() {
  await busy(async () => {
    try {
      await takeLock('EDIT');
      state.editing = true;
    } catch (e) {
      fail(e);
    }
  });
  if (state.editing) $('fields-form').elements.customer.focus();
}

export async function cancelEdit() {
  const id = state.d && state.d.dashboard_id;
  state.editing = false;
  if (id) await dropLock(id).catch(() => {});
  render({ fillForm: true });
}

async function release() {
  const id = state.d.dashboard_id;
  state.editing = false;
  try {
    await dropLock(id);
  } catch (e) {
    fail(e);
  }
  render({ fillForm: true });
}

async function save(ev) {
  ev.preventDefault();
  const d = state.d;
  const form = $('fields-form');
  const patch = {};
  for (const name of FIELDS) {
    const v = form.elements[name].value.trim();
    const was = name === 'eta' ? d.eta.slice(0, 16) : (d[name] ?? '');
    if (v === was) continue;
    patch[name] = OPTIONAL.includes(name) && v === '' ? null : v;
  }
  $('fields-error').textContent = '';
  await busy(async () => {
    try {
      if (Object.keys(patch).length) await call('PATCH', '/dashboard/' + d.dashboard_id + '/fields', patch);
      state.editing = false;
      await dropLock(d.dashboard_id).catch(() => {});
      await reload();
      toast(t('saved'));
    } catch (e) {
      fail(e, 'fields-error');
    }
  });
}

async function addRemark(ev) {
  ev.preventDefault();
  const text = $('remark-text').value.trim();
  if (!text) return;
  try {
    await call('POST', '/dashboard/' + state.d.dashboard_id + '/remarks', { content: text });
    $('remark-text').value = '';
    await reload();
  } catch (e) {
    fail(e);
  }
}

async function editRemark(remarkId, text) {
  try {
    await call('PATCH', '/dashboard/' + state.d.dashboard_id + '/remarks/' + remarkId, { content: text });
    state.editingRemark = null;
    await reload();
  } catch (e) {
    fail(e);
  }
}

/** Keeps an edit's lock alive while the form is open, and the countdown true. */
function tick() {
  if (!state.d) return;
  const lock = lockOf(state.d.dashboard_id);
  if (state.editing && lock && mine(lock) && lock.until - Date.now() < 60_000) {
    takeLock('EDIT').catch(() => {});
  }
  // A lock that came, went or expired changes what may be done; otherwise only
  // the time left moves.
  if (lockKey(lock) !== state.lockKey) render();
  else bannerText();
}

export function wire() {
  $('d-close').addEventListener('click', close);
  $('edit').addEventListener('click', startEdit);
  $('cancel-edit').addEventListener('click', cancelEdit);
  $('fields-form').addEventListener('submit', save);
  $('remark-form').addEventListener('submit', addRemark);
  setInterval(tick, 1000);
  // A tab closed while editing lets the lock go at once, not after 300 s.
  window.addEventListener('pagehide', () => {
    if (state.editing && state.d && session.access) {
      fetch('/dashboard/' + state.d.dashboard_id + '/lock', {
        method: 'DELETE', keepalive: true, headers: { Authorization: 'Bearer ' + session.access },
      });
    }
  });
}

