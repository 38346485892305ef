// The orders of the chosen range and the table that shows them. The rows are
// what `/dashboard/list` returned, kept up to date by the live view; the table
// draws only the rows in view (a month of the benchmark database is 30,000), so
// scrolling and live updates cost the same whatever the range.

import { label, t } from './i18n.js';
import { epoch, left, session } from './api.js';

const ROW = 34; // px, as in the CSS
const OVERSCAN = 8;

export const orders = {
  /** dashboard_id → list item */
  rows: new Map(),
  /** dashboard_id → {locked_by, lock_type, until} */
  locks: new Map(),
  /** The request the rows answer. */
  query: null,
  /** Rows after the text filter and the sort. */
  view: [],
  selected: new Set(),
  sort: { key: 'eta', dir: 1 },
  text: '',
  focus: -1,
  onOpen: () => {},
  onSelect: () => {},
};

/** Whether an order (a list item or a detail) belongs to the current query. */
export function matches(o) {
  const q = orders.query;
  if (!q) return false;
  const day = o.eta.slice(0, 10);
  return day >= q.start_date && day <= q.end_date
    && (q.type === 'ALL' || o.type === q.type)
    && (q.department === 'ALL' || o.department === q.department)
    && (q.warehouse === 'ALL' || o.warehouse === q.warehouse)
    && (q.status === 'ALL' || o.status === q.status);
}

/** A list item from a detail (the live view's events carry details). */
export function itemOf(d) {
  return {
    dashboard_id: d.dashboard_id, order_no: d.order_no, type: d.type, status: d.status,
    department: d.department, warehouse: d.warehouse, eta: d.eta, customer: d.customer,
    region: d.region, driver_name: d.driver_name,
  };
}

export function replaceAll(query, items) {
  orders.query = query;
  orders.rows = new Map(items.map((i) => [i.dashboard_id, i]));
  for (const id of orders.selected) if (!orders.rows.has(id)) orders.selected.delete(id);
  refresh();
}

/** Takes a changed order in or out of the rows. */
export function upsert(detail) {
  const id = detail.dashboard_id;
  if (!matches(detail)) {
    remove(id);
    refresh();
    return;
  }
  const item = itemOf(detail);
  const old = orders.rows.get(id);
  orders.rows.set(id, item);
  // Most changes keep a row where it is (same sort key, same answer to the
  // find box): swap it in place rather than sort the month again, which
  // costs tens of milliseconds per event with 30,000 rows.
  const at = old && !pending && old[orders.sort.key] === item[orders.sort.key]
    && found(old) === found(item) ? orders.view.indexOf(old) : -1;
  if (at >= 0) {
    orders.view[at] = item;
    draw();
  } else {
    refresh();
  }
}

export function remove(id) {
  orders.rows.delete(id);
  orders.selected.delete(id);
}

export function setLock(info) {
  orders.locks.set(info.dashboard_id, {
    locked_by: info.locked_by,
    lock_type: info.lock_type,
    until: epoch(info.expires_at),
  });
  draw();
}

export function clearLock(id) {
  orders.locks.delete(id);
  draw();
}

/** The live lock on an order, if any. */
export function lockOf(id) {
  const l = orders.locks.get(id);
  if (!l) return null;
  if (l.until <= Date.now()) {
    orders.locks.delete(id);
    return null;
  }
  return l;
}

function compare(key) {
  return (a, b) => {
    const x = a[key] ?? '';
    const y = b[key] ?? '';
    if (x < y) return -1;
    if (x > y) return 1;
    return a.dashboard_id - b.dashboard_id;
  };
}

/** Whether an order passes the find box. */
function found(o) {
  const needle = orders.text.trim().toLowerCase();
  return !needle || [o.order_no, o.customer, o.driver_name, o.region]
    .some((v) => v && v.toLowerCase().includes(needle));
}

let pending = false;
/** Re-filters and re-sorts, then draws on the next frame. */
export function refresh() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    let view = [...orders.rows.values()];
    if (orders.text.trim()) view = view.filter(found);
    const cmp = compare(orders.sort.key);
    view.sort(orders.sort.dir > 0 ? cmp : (a, b) => -cmp(a, b));
    orders.view = view;
    drawNow();
  });
}

let frame = false;
export function draw() {
  if (frame) return;
  frame = true;
  requestAnimationFrame(() => { frame = false; drawNow(); });
}

function fmtEta(eta) {
  return eta.slice(5, 16).replace('T', ' ');
}

function cell(cls, text, title) {
  const s = document.createElement('span');
  s.className = 'cell ' + cls;
  s.textContent = text;
  if (title) s.title = title;
  return s;
}

function rowNode(o, index) {
  const row = document.createElement('div');
  row.className = 'row';
  row.setAttribute('role', 'row');
  row.dataset.id = o.dashboard_id;
  row.dataset.index = index;
  if (orders.selected.has(o.dashboard_id)) row.classList.add('selected');
  if (index === orders.focus) row.classList.add('focused');
  const check = document.createElement('span');
  check.className = 'cell check';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = orders.selected.has(o.dashboard_id);
  box.setAttribute('aria-label', o.order_no);
  check.append(box);
  const status = cell('status', '');
  const badge = document.createElement('span');
  badge.className = 'badge s-' + o.status;
  badge.textContent = label('status', o.status);
  status.append(badge);
  const lock = lockOf(o.dashboard_id);
  const lockCell = cell('lock-col', '');
  if (lock) {
    row.classList.add('locked');
    row.dataset.lockedBy = lock.locked_by;
    const mine = session.user && lock.locked_by === session.user.user_id;
    const tag = document.createElement('span');
    tag.className = mine ? 'lock-tag mine' : 'lock-tag';
    tag.textContent = t('lock.row', { who: lock.locked_by });
    tag.title = left(lock.until);
    lockCell.append(tag);
  }
  row.append(
    check,
    cell('mono', o.order_no),
    cell('', label('type', o.type)),
    status,
    cell('', o.department),
    cell('', label('warehouse', o.warehouse)),
    cell('mono', fmtEta(o.eta), o.eta.replace('T', ' ')),
    cell('', o.customer, o.customer),
    cell('', o.region, o.region),
    cell('', o.driver_name || '—'),
    lockCell,
  );
  return row;
}

function drawNow() {
  const body = document.getElementById('grid-body');
  const rows = document.getElementById('grid-rows');
  const n = orders.view.length;
  document.getElementById('grid-spacer').style.height = n * ROW + 'px';
  const first = Math.max(0, Math.floor(body.scrollTop / ROW) - OVERSCAN);
  const last = Math.min(n, Math.ceil((body.scrollTop + body.clientHeight) / ROW) + OVERSCAN);
  rows.style.transform = 'translateY(' + first * ROW + 'px)';
  const nodes = [];
  for (let i = first; i < last; i++) nodes.push(rowNode(orders.view[i], i));
  rows.replaceChildren(...nodes);
  const total = orders.rows.size;
  document.getElementById('count').textContent = n === total
    ? t('list.count', { n: total.toLocaleString() })
    : t('list.shown', { n: total.toLocaleString(), m: n.toLocaleString() });
  document.getElementById('empty').hidden = total > 0;
  document.getElementById('selected-count').textContent = orders.selected.size
    ? t('list.selected', { n: orders.selected.size }) : '';
  const all = document.getElementById('check-all');
  all.checked = n > 0 && orders.view.every((o) => orders.selected.has(o.dashboard_id));
  for (const h of document.querySelectorAll('.row.head [data-sort]')) {
    h.dataset.dir = h.dataset.sort === orders.sort.key ? (orders.sort.dir > 0 ? 'asc' : 'desc') : '';
    h.setAttribute('aria-sort', h.dataset.dir ? (h.dataset.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  orders.onSelect();
}

function scrollTo(index) {
  const body = document.getElementById('grid-body');
  const top = index * ROW;
  if (top < body.scrollTop) body.scrollTop = top;
  else if (top + ROW > body.scrollTop + body.clientHeight) body.scrollTop = top + ROW - body.clientHeight;
}

export function wire() {
  const body = document.getElementById('grid-body');
  body.addEventListener('scroll', draw, { passive: true });
  window.addEventListener('resize', draw);
  // Rows are redrawn whenever an order changes, which may be between a press
  // and its release: the press names the row, so such a click is not lost.
  const rowsNode = document.getElementById('grid-rows');
  let pressed = null;
  rowsNode.addEventListener('pointerdown', (ev) => {
    const row = ev.target.closest('.row');
    pressed = row && { row, box: ev.target.type === 'checkbox' };
  });
  rowsNode.addEventListener('click', (ev) => {
    const row = ev.target.closest('.row');
    const hit = row ? { row, box: ev.target.type === 'checkbox' } : pressed;
    pressed = null;
    if (!hit) return;
    const id = Number(hit.row.dataset.id);
    orders.focus = Number(hit.row.dataset.index);
    if (hit.box) {
      // Set from the selection, not the box: the box may be a replaced one.
      if (orders.selected.has(id)) orders.selected.delete(id); else orders.selected.add(id);
      draw();
      return;
    }
    draw();
    orders.onOpen(id);
  });
  document.getElementById('check-all').addEventListener('change', (ev) => {
    for (const o of orders.view) {
      if (ev.target.checked) orders.selected.add(o.dashboard_id); else orders.selected.delete(o.dashboard_id);
    }
    draw();
  });
  for (const h of document.querySelectorAll('.row.head [data-sort]')) {
    h.addEventListener('click', () => {
      const key = h.dataset.sort;
      orders.sort = { key, dir: orders.sort.key === key ? -orders.sort.dir : 1 };
      refresh();
    });
  }
  // Keyboard: arrows move, Enter opens, space selects.
  document.getElementById('grid').addEventListener('keydown', (ev) => {
    const n = orders.view.length;
    if (!n || ev.target.tagName === 'INPUT' && ev.target.type !== 'checkbox') return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      orders.focus = Math.min(n - 1, Math.max(0, orders.focus + (ev.key === 'ArrowDown' ? 1 : -1)));
      scrollTo(orders.focus);
      draw();
      ev.preventDefault();
    } else if (ev.key === 'Enter' && orders.focus >= 0) {
      orders.onOpen(orders.view[orders.focus].dashboard_id);
      ev.preventDefault();
    } else if (ev.key === ' ' && orders.focus >= 0) {
      const id = orders.view[orders.focus].dashboard_id;
      if (orders.selected.has(id)) orders.selected.delete(id); else orders.selected.add(id);
      draw();
      ev.preventDefault();
    }
  });
}
