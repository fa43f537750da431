// Reports: one historical report (GET /api/v1/reports/{name}) as a table and a bar chart of
// one measure over its rows; the same query as CSV. Every role may read reports of its tenants.
import { api, el, live, say, start } from './app.js';

const SVG = 'http://www.w3.org/2000/svg';
const TITLES = {
  'queue-summary': 'Queue Summary', 'tenant-summary': 'Tenant Summary', 'agent-summary': 'Agent Summary',
  'group-summary': 'Agent Group Summary', 'not-ready': 'Not Ready by Reason',
  'agent-states': 'Agent State Details', interactions: 'Interaction Detail', 'abandon-delay': 'Abandon Delay',
  'speed-of-accept': 'Speed of Accept', 'campaign-summary': 'Campaign Summary',
  'campaign-compliance': 'Campaign Compliance',
};

await start();
live({});
const form = document.getElementById('report-form');
const name = document.getElementById('report-name');
const from = document.getElementById('report-from');
const to = document.getElementById('report-to');
const by = document.getElementById('report-by');
const object = document.getElementById('report-object');
const tz = document.getElementById('report-tz');
const csv = document.getElementById('report-csv');
const message = document.getElementById('message');
const table = document.getElementById('report-table');
const caption = document.getElementById('report-caption');
const chartSection = document.getElementById('report-chart-section');
const measure = document.getElementById('report-measure');
const chart = document.getElementById('report-chart');
let shown = null;

const { reports } = await api('GET', '/api/v1/reports');
name.replaceChildren(...reports.map((r) => el('option', { value: r, textContent: TITLES[r] ?? r })));
from.value = new Date(Date.now() - 864e5).toISOString().slice(0, 10);

function query(format) {
  const q = new URLSearchParams({ from: from.value, by: by.value });
  if (to.value) q.set('to', to.value);
  if (tz.value.trim()) q.set('tz', tz.value.trim());
  const who = object.value.trim();
  const kinds = { 'group-summary': 'group', 'tenant-summary': 'tenant' };
  const kind = kinds[name.value] ?? (name.value.startsWith('agent') || name.value === 'not-ready' ? 'agent'
    : name.value.startsWith('campaign') ? 'campaign' : 'queue');
  if (who) q.set(kind, who);
  if (format) q.set('format', format);
  return `/api/v1/reports/${encodeURIComponent(name.value)}?${q}`;
}

const text = (v) => (v === null || v === undefined ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

function drawChart() {
  chart.replaceChildren();
  const column = measure.value;
  if (!shown || !column) return;
  const label = shown.columns[0];
  const values = shown.rows.map((r) => (typeof r[column] === 'number' ? r[column] : 0));
  const most = Math.max(1, ...values);
  const W = 720, H = 220, pad = 30, bar = Math.max(2, Math.min(40, (W - pad) / Math.max(1, values.length) - 2));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'trend');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${column} per row, highest ${most}; the values are in the table`);
  values.forEach((v, i) => {
    const h = ((H - pad) * v) / most;
    const r = document.createElementNS(SVG, 'rect');
    r.setAttribute('x', String(pad + i * (bar + 2)));
    r.setAttribute('y', String(H - pad - h));
    r.setAttribute('width', String(bar));
    r.setAttribute('height', String(h));
    r.setAttribute('class', 'bar');
    const t = document.createElementNS(SVG, 'title');
    t.textContent = `${text(shown.rows[i][label])}: ${text(shown.rows[i][column])}`;
    r.append(t);
    svg.append(r);
  });
  const top = document.createElementNS(SVG, 'text');
  top.setAttribute('x', '2');
  top.setAttribute('y', '12');
  top.setAttribute('class', 'trend-axis');
  top.textContent = String(most);
  svg.append(top);
  chart.append(svg);
}

async function run() {
  say(message, 'Reading…');
  try {
    const r = await api('GET', query());
    shown = r;
    caption.textContent = `${r.title}, times in ${r.zone}${r.truncated ? ' (cut at the row limit: narrow the range)' : ''}`;
    table.tHead.rows[0].replaceChildren(...r.columns.map((c) => el('th', { scope: 'col', textContent: c })));
    table.tBodies[0].replaceChildren(...r.rows.map((row) =>
      el('tr', {}, ...r.columns.map((c, i) => (i === 0 ? el('th', { scope: 'row', textContent: text(row[c]) })
        : el('td', { textContent: text(row[c]), className: typeof row[c] === 'number' ? 'num' : '' }))))));
    table.hidden = false;
    const numeric = r.columns.filter((c) => r.rows.some((row) => typeof row[c] === 'number'));
    measure.replaceChildren(...numeric.map((c) => el('option', { value: c, textContent: c })));
    chartSection.hidden = numeric.length === 0 || r.rows.length === 0;
    drawChart();
    csv.href = query('csv');
    csv.hidden = false;
    say(message, r.rows.length ? `${r.rows.length} row(s).` : 'Nothing in this range.');
  } catch (e) {
    table.hidden = true;
    chartSection.hidden = true;
    say(message, e.message, true);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  run();
});
measure.addEventListener('change', drawChart);
