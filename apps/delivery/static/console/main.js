// The delivery control room (seed 001 §IV.3): log in, choose a range and
// filters, watch the orders live, open one, change it under the seed's locks;
// the statistics; Excel for admins; new orders with a postal-code lookup.
// Plain modules against the documented API, nothing fetched from elsewhere.

import * as i18n from './i18n.js';
import { t } from './i18n.js';
import * as api from './api.js';
import { call, isAdmin, session } from './api.js';
import * as table from './table.js';
import { orders } from './table.js';
import * as detail from './detail.js';
import * as live from './live.js';
import { hourlyChart, statusChart } from './charts.js';
import { describe, toast } from './ui.js';

const $ = (id) => document.getElementById(id);
let tab = 'orders';

// ---- session ----

function showLogin(message) {
  live.stop();
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('login-user').focus();
}

async function showApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  const u = session.user;
  $('who').textContent = u.user_id + ' · ' + u.user_department + ' · ' + u.user_role;
  $('excel').hidden = !isAdmin();
  if (!$('f-start').value) {
    // A month around today: the last three weeks and the coming week.
    $('f-start').value = api.serverDay(-23);
    $('f-end').value = api.serverDay(7);
  }
  live.reset();
  live.connect(onEvent, catchUp);
  await load();
}

async function submitLogin(ev) {
  ev.preventDefault();
  $('login-submit').disabled = true;
  $('login-error').textContent = '';
  try {
    await api.login($('login-user').value.trim(), $('login-password').value);
    $('login-password').value = '';
    await api.checkSession();
    await showApp();
  } catch (e) {
    $('login-error').textContent = e instanceof TypeError ? t('error.network') : describe(e);
  } finally {
    $('login-submit').disabled = false;
  }
}

// ---- the list ----

function query() {
  return {
    start_date: $('f-start').value,
    end_date: $('f-end').value,
    type: $('f-type').value,
    department: $('f-department').value,
    warehouse: $('f-warehouse').value,
    status: $('f-status').value,
  };
}

let loading = 0;
async function load() {
  const q = query();
  const mine = ++loading;
  $('list-error').textContent = '';
  try {
    const [list, locks] = await Promise.all([
      call('POST', '/dashboard/list', q),
      call('GET', '/dashboard/locks'),
    ]);
    if (mine !== loading) return;
    orders.locks.clear();
    for (const l of locks.data) table.setLock(l);
    table.replaceAll(q, list.data.items);
    document.body.dataset.loaded = String(mine);
    // How long the page took to become usable, for the browser test.
    if (!document.body.dataset.readyMs) document.body.dataset.readyMs = String(Math.round(performance.now()));
    if (tab === 'stats') await loadStats();
  } catch (e) {
    if (mine === loading) $('list-error').textContent = describe(e);
  }
}

/** After a gap in the live view: what is on screen is read again. */
async function catchUp() {
  await load();
  const id = detail.openId();
  if (id != null) await detail.open(id);
}

function onEvent(type, data) {
  switch (type) {
    case 'dashboard.created':
    case 'dashboard.updated':
      table.upsert(data);
      detail.changed(data);
      break;
    case 'dashboard.deleted':
      for (const id of data.dashboard_ids) table.remove(id);
      table.refresh();
      detail.deleted(data.dashboard_ids);
      break;
    case 'lock.acquired':
      table.setLock(data);
      detail.lockChanged(data.dashboard_id);
      break;
    case 'lock.released':
      table.clearLock(data.dashboard_id);
      detail.lockChanged(data.dashboard_id);
      break;
    default:
      break;
  }
}

// ---- statistics ----

async function loadStats() {
  const range = { start_date: $('f-start').value, end_date: $('f-end').value };
  try {
    const [status, hourly] = await Promise.all([
      call('POST', '/visualization/delivery_status', range),
      call('POST', '/visualization/hourly_orders', range),
    ]);
    const total = (n) => t('stats.total', { n: n.toLocaleString(), from: range.start_date, to: range.end_date });
    $('stats-status-total').textContent = total(status.data.total);
    $('stats-hourly-total').textContent = total(hourly.data.total);
    statusChart($('chart-status'), status.data);
    hourlyChart($('chart-hourly'), hourly.data);
  } catch (e) {
    toast(describe(e), true);
  }
}

function selectTab(name) {
  tab = name;
  for (const b of document.querySelectorAll('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  $('orders-view').hidden = name !== 'orders';
  $('stats-view').hidden = name !== 'stats';
  if (name === 'stats') loadStats();
  else table.draw();
}

// ---- Excel (admins) ----

async function excel() {
  const range = { start_date: $('f-start').value, end_date: $('f-end').value };
  $('excel').disabled = true;
  try {
    const r = await call('POST', '/download/excel', range, { raw: true });
    const blob = await r.blob();
    const name = (/filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '') || [])[1] || 'dashboard.xlsx';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    $('excel').dataset.downloaded = name;
    toast(t('excel.done'));
  } catch (e) {
    toast(describe(e), true);
  } finally {
    $('excel').disabled = false;
  }
}

// ---- new order, with the postal-code lookup ----

let postalTimer = null;
let postalPick = null;

function postalInfo(p) {
  const wh = $('create-form').elements.warehouse.value;
  const d = p.distances[wh];
  const region = [p.city, p.county, p.district].filter(Boolean).join(' ');
  return d ? t('create.postal_info', { region, wh: i18n.label('warehouse', wh), km: d.distance, min: d.duration_time }) : region;
}

async function lookupPostal() {
  const q = $('c-postal').value.trim();
  const list = $('c-postal-list');
  postalPick = null;
  $('c-postal-info').textContent = '';
  if (q.length < 2) {
    list.hidden = true;
    return;
  }
  try {
    const body = await call('GET', '/postal-codes?q=' + encodeURIComponent(q) + '&limit=8');
    const found = body.data;
    const exact = found.find((p) => p.postal_code === q.padStart(5, '0'));
    if (exact) {
      postalPick = exact;
      $('c-postal-info').textContent = postalInfo(exact);
    } else if (/^\d{4,5}$/.test(q) && !found.length) {
      $('c-postal-info').textContent = t('create.postal_unknown');
    }
    list.replaceChildren(...found.map((p) => {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.dataset.code = p.postal_code;
      li.textContent = p.postal_code + ' · ' + [p.city, p.county, p.district].filter(Boolean).join(' ');
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        $('c-postal').value = p.postal_code;
        postalPick = p;
        $('c-postal-info').textContent = postalInfo(p);
        list.hidden = true;
      });
      return li;
    }));
    list.hidden = !found.length || !!exact;
  } catch (e) {
    $('c-postal-info').textContent = describe(e);
  }
}

function openCreate() {
  const f = $('create-form');
  f.reset();
  $('create-error').textContent = '';
  $('c-postal-info').textContent = '';
  $('c-postal-list').hidden = true;
  f.elements.eta.value = api.serverDay(1) + 'T14:00';
  $('create-dialog').showModal();
  f.elements.order_no.focus();
}

async function submitCreate(ev) {
  ev.preventDefault();
  const f = $('create-form');
  const body = {};
  for (const name of ['order_no', 'type', 'department', 'warehouse', 'sla', 'eta', 'postal_code', 'address', 'customer', 'contact', 'remark']) {
    const v = f.elements[name].value.trim();
    if (v !== '' || !['contact', 'remark'].includes(name)) body[name] = v;
  }
  $('create-error').textContent = '';
  try {
    const r = await call('POST', '/dashboard', body);
    $('create-dialog').close();
    toast(t('create.done', { no: body.order_no }));
    table.upsert(r.data);
  } catch (e) {
    $('create-error').textContent = describe(e);
  }
}

// ---- driver assignment for the selected orders ----

function openAssign() {
  const ids = [...orders.selected];
  const nos = ids.map((id) => orders.rows.get(id)).filter(Boolean).map((o) => o.order_no);
  $('assign-form').reset();
  $('assign-error').textContent = '';
  $('assign-what').textContent = t('assign.what', { n: ids.length, nos: nos.slice(0, 6).join(', ') + (nos.length > 6 ? ' …' : '') });
  $('assign-dialog').showModal();
  $('assign-form').elements.driver_name.focus();
}

async function submitAssign(ev) {
  ev.preventDefault();
  const f = $('assign-form');
  const ids = [...orders.selected].sort((a, b) => a - b);
  try {
    const r = await call('POST', '/dashboard/assign', {
      dashboard_ids: ids,
      driver_name: f.elements.driver_name.value.trim(),
      driver_contact: f.elements.driver_contact.value.trim(),
    });
    $('assign-dialog').close();
    orders.selected.clear();
    toast(t('assign.done', { n: r.data.updated_count }));
    await load();
  } catch (e) {
    if (e.lockInfo) table.setLock(e.lockInfo);
    $('assign-error').textContent = describe(e);
  }
}

// ---- start ----

function wire() {
  i18n.apply();
  table.wire();
  detail.wire();
  orders.onOpen = (id) => detail.open(id);
  orders.onSelect = () => { $('assign').disabled = orders.selected.size === 0; };
  session.onExpired = () => showLogin(t('login.expired'));
  $('login-form').addEventListener('submit', submitLogin);
  $('logout').addEventListener('click', async () => {
    if (detail.openId() != null) detail.close();
    live.stop();
    await api.logout();
    showLogin();
  });
  for (const b of document.querySelectorAll('[data-lang-toggle]')) {
    b.addEventListener('click', () => {
      i18n.toggle();
      table.draw();
      detail.render();
      if (tab === 'stats') loadStats();
    });
  }
  for (const b of document.querySelectorAll('[data-tab]')) b.addEventListener('click', () => selectTab(b.dataset.tab));
  $('filters').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  for (const id of ['f-type', 'f-department', 'f-warehouse', 'f-status', 'f-start', 'f-end']) {
    $(id).addEventListener('change', () => load());
  }
  $('f-text').addEventListener('input', () => { orders.text = $('f-text').value; table.refresh(); });
  $('excel').addEventListener('click', excel);
  $('new-order').addEventListener('click', openCreate);
  $('create-form').addEventListener('submit', submitCreate);
  $('c-postal').addEventListener('input', () => {
    clearTimeout(postalTimer);
    postalTimer = setTimeout(lookupPostal, 200);
  });
  $('create-form').elements.warehouse.addEventListener('change', () => {
    if (postalPick) $('c-postal-info').textContent = postalInfo(postalPick);
  });
  $('assign').addEventListener('click', openAssign);
  $('assign-form').addEventListener('submit', submitAssign);
  for (const b of document.querySelectorAll('dialog [data-close]')) {
    b.addEventListener('click', () => b.closest('dialog').close());
  }
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && detail.openId() != null && !document.querySelector('dialog[open]')) detail.close();
    if (ev.key === '/' && document.activeElement.tagName !== 'INPUT' && document.activeElement.tagName !== 'TEXTAREA') {
      ev.preventDefault();
      $('f-text').focus();
    }
  });
}

wire();
if (api.restore()) {
  api.checkSession().then(showApp, () => showLogin());
} else {
  showLogin();
}
