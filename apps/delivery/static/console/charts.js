// The two statistics of seed II §2.4 as SVG drawn here: orders by status
// (horizontal bars) and by hour of creation (columns stacked by department).

import { ENUMS, label, t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const DEPT_COLORS = { CS: '#2563eb', HES: '#0d9488', LENOVO: '#d97706' };
const STATUS_COLORS = {
  WAITING: '#64748b', IN_PROGRESS: '#2563eb', COMPLETE: '#16a34a', ISSUE: '#dc2626', CANCEL: '#a1a1aa',
};

function svg(tag, attrs, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text != null) n.textContent = text;
  return n;
}

export function statusChart(node, data) {
  const rows = ENUMS.status.map((s) => [s, data.by_status[s] || 0]);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const W = 640;
  const H = rows.length * 40 + 10;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('stats.status') });
  rows.forEach(([s, n], i) => {
    const y = 8 + i * 40;
    const w = Math.round((W - 230) * n / max);
    root.append(
      svg('text', { x: 0, y: y + 20, class: 'axis' }, label('status', s)),
      svg('rect', { x: 110, y, width: Math.max(w, 1), height: 28, rx: 4, fill: STATUS_COLORS[s], 'data-status': s }),
      svg('text', { x: 118 + w, y: y + 20, class: 'value' }, n.toLocaleString()),
    );
  });
  node.replaceChildren(root);
}

export function hourlyChart(node, data) {
  const depts = ENUMS.department;
  const totals = data.hours;
  const max = Math.max(1, ...totals);
  const W = 720;
  const H = 260;
  const left = 40;
  const bottom = H - 40;
  const bw = (W - left) / 24;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('stats.hourly') });
  for (const f of [0, 0.5, 1]) {
    const y = bottom - f * (bottom - 10);
    root.append(
      svg('line', { x1: left, x2: W, y1: y, y2: y, class: 'grid-line' }),
      svg('text', { x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, Math.round(max * f).toLocaleString()),
    );
  }
  for (let h = 0; h < 24; h++) {
    let y = bottom;
    for (const dep of depts) {
      const n = data.by_department[dep] ? data.by_department[dep][h] : 0;
      const hgt = (bottom - 10) * n / max;
      if (n > 0) {
        y -= hgt;
        const r = svg('rect', { x: left + h * bw + 3, y, width: bw - 6, height: hgt, fill: DEPT_COLORS[dep] });
        r.append(svg('title', {}, `${String(h).padStart(2, '0')}:00 ${dep} ${n}`));
        root.append(r);
      }
    }
    if (h % 3 === 0) root.append(svg('text', { x: left + h * bw + bw / 2, y: bottom + 18, class: 'axis', 'text-anchor': 'middle' }, String(h).padStart(2, '0')));
  }
  depts.forEach((dep, i) => {
    const x = left + i * 110;
    root.append(
      svg('rect', { x, y: H - 14, width: 12, height: 12, fill: DEPT_COLORS[dep] }),
      svg('text', { x: x + 18, y: H - 4, class: 'axis' }, dep),
    );
  });
  node.replaceChildren(root);
}
