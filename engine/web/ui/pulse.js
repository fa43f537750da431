// Pulse widgets (docs/pulse.md), shared by the Dashboards page and the wallboard: each widget
// is drawn from its document, then its values are updated in place from the dashboard's
// stream (`stat` events keyed "<widget>.<object>.<statistic>"). Nothing is appended per
// event: a value's element is made once and its text and attributes change; a trend keeps a
// bounded series per statistic and redraws one polyline at most a few times a second.
import { api, duration, el } from './app.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_POINTS = 10000;           // per trend series
const REDRAW_MS = 250;              // a trend redraws at most this often
const DEFAULT_RETENTION_H = 24;
const PALETTE = ['#0b5cad', '#c2410c', '#0d6b32', '#7c3aed', '#a11b1b', '#0e7490', '#a16207', '#be185d'];

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// -- formats and thresholds -------------------------------------------------------------

/** AgentState numbers (the statistic agent_state): [data-state, name]. */
export function agentState(v) {
  switch (Math.round(v)) {
    case 1: return ['not_ready', 'Not ready'];
    case 2: return ['ready', 'Ready'];
    case 3: return ['after_call_work', 'After call work'];
    default: return ['logged_out', 'Logged out'];
  }
}

const nf0 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A value as its statistic's format shows it. */
export function format(v, fmt) {
  switch (fmt) {
    case 'number': return nf1.format(v);
    case 'percent': return `${nf1.format(v)} %`;
    case 'time': return duration(v);
    case 'agent_status': return agentState(v)[1];
    default: return nf0.format(Math.round(v));
  }
}

/** alarm | warning | ok: at or beyond a threshold (below it when lower_is_worse). */
export function level(v, t) {
  if (!t) return 'ok';
  const beyond = (limit) => limit != null && (t.lower_is_worse ? v <= limit : v >= limit);
  if (beyond(t.alarm)) return 'alarm';
  if (beyond(t.warning)) return 'warning';
  return 'ok';
}

const LEVEL_WORD = { alarm: '▲\u00a0alarm', warning: '△\u00a0warning' };

/** The name of object `o` as a widget shows it. */
const objectName = (o) => (o.type === 'queue' || o.type === 'agent' ? o.id : `${o.type.replace('_', ' ')} ${o.id}`);

// -- one value ----------------------------------------------------------------------------

/**
 * A value's elements: `.value[data-key]` (its text is the formatted value, `data-level`
 * alarm | warning | ok | none) and `.flag` beside it (the level as a word and a symbol, or
 * "error"); an agent_status value also gets its time in state (`[data-key="….since"]`,
 * counted on here each second) and its not-ready reason. `holder` gets the level too.
 */
function valueCell(key, stat, holder) {
  const value = el('span', { className: 'value', 'data-key': key, 'data-level': 'none', textContent: '…' });
  const flag = el('span', { className: 'flag' });
  const parts = [value];
  let since = null, reason = null;
  if (stat.format === 'agent_status') {
    since = el('span', { className: 'since', 'data-key': `${key}.since`, textContent: '' });
    reason = el('span', { className: 'reason', textContent: '' });
    parts.push(' ', since, ' ', reason);
  }
  parts.push(' ', flag);
  return { key, stat, holder, value, flag, since, reason, parts, sinceAt: null };
}

function setText(e, text) {
  if (e.textContent !== text) e.textContent = text;
}

/** Paints cell `c` from the latest event `d` of its key (undefined: nothing yet). */
function paint(c, d) {
  const v = c.value;
  let text = '…', lvl = 'none', flag = '', title = '';
  if (d?.error) {
    text = '—';
    flag = '⚠\u00a0error';
    title = d.error.message || d.error.code;
  } else if (d && !d.valid) {
    text = '—';
    title = d.reason || 'no value yet';
  } else if (d) {
    text = format(d.value, c.stat.format);
    lvl = level(d.value, c.stat.thresholds);
    flag = LEVEL_WORD[lvl] ?? '';
  }
  setText(v, text);
  if (v.dataset.level !== lvl) {
    v.dataset.level = lvl;
    if (c.holder) c.holder.dataset.level = lvl;
  }
  if (v.title !== title) v.title = title;
  setText(c.flag, flag);
  if (c.stat.format === 'agent_status') {
    const state = d && d.valid && !d.error ? agentState(d.value)[0] : '';
    if (v.dataset.state !== state) v.dataset.state = state;
    setText(c.reason, state === 'not_ready' && d.text ? d.text : '');
  }
}

/** The ".since" of an agent_status value: seconds in state at the event; counted on here. */
function paintSince(c, d) {
  c.sinceAt = d && d.valid && !d.error ? Date.now() - d.value * 1000 : null;
  tickSince(c);
}

function tickSince(c) {
  setText(c.since, c.sinceAt == null ? '' : duration((Date.now() - c.sinceAt) / 1000));
}

// -- widgets ------------------------------------------------------------------------------

/** Widget `w` ({id, widget}) drawn in a section; answers what its values need. */
function makeWidget(w, ctx) {
  const doc = w.widget ?? {};
  const objects = doc.objects ?? [];
  const statistics = doc.statistics ?? [];
  const kind = doc.kind ?? 'kpi';
  const id = w.id;
  const cells = new Map();  // key -> cell
  const keyOf = (o, s) => `${id}.${o}.${s}`;
  const cellFor = (o, s, holder) => {
    const c = valueCell(keyOf(o, s), statistics[s], holder);
    cells.set(c.key, c);
    return c;
  };
  const label = (o, s) => (objects.length > 1 ? `${objectName(objects[o])} · ${statistics[s].alias}` : statistics[s].alias);

  const heading = el('h3', { className: 'widget-title', id: `widget-${id}-h`, textContent: doc.title || w.template || `Widget ${id}` });
  const stale = el('span', { className: 'stale-tag', textContent: 'stale' });
  const tools = el('div', { className: 'widget-tools' });
  const head = el('div', { className: 'widget-head' }, heading, stale, tools);
  const body = el('div', { className: 'widget-body' });
  const section = el('section', { className: 'widget', 'data-widget': String(id), 'data-kind': kind, 'aria-labelledby': heading.id },
    head, body);
  const span = doc.size?.w ?? ({ kpi: 2, grid: 2, trend: 2 }[kind] ?? 1);
  section.dataset.span = String(Math.min(Math.max(span, 1), 4));
  if (doc.size?.h > 1) section.dataset.rows = String(Math.min(doc.size.h, 4));

  let onValue = () => {};   // kind-specific reaction to a new value
  let tick = () => {};      // once a second
  let history = null;       // trend: (re)load the samples
  let destroy = () => {};

  if (kind === 'kpi') {
    const tiles = el('div', { className: 'tiles' });
    objects.forEach((o, oi) => statistics.forEach((s, si) => {
      const tile = el('div', { className: 'tile', 'data-level': 'none' });
      const c = cellFor(oi, si, tile);
      tile.append(el('span', { className: 'tile-label', textContent: label(oi, si) }), el('span', { className: 'tile-value' }, ...c.parts));
      tiles.append(tile);
    }));
    body.append(tiles);
  } else if (kind === 'billboard') {
    const c = cellFor(0, 0, section);
    body.append(el('div', { className: 'billboard' },
      el('span', { className: 'billboard-label', textContent: `${statistics[0]?.alias ?? ''} · ${objects[0] ? objectName(objects[0]) : ''}` }),
      el('span', { className: 'billboard-value' }, ...c.parts)));
  } else if (kind === 'grid') {
    const headRow = el('tr', {}, el('th', { scope: 'col', textContent: 'Object' }),
      ...statistics.map((s) => el('th', { scope: 'col', className: 'num', textContent: s.alias })));
    const rowsEl = objects.map((o, oi) => el('tr', {}, el('th', { scope: 'row', textContent: objectName(o) }),
      ...statistics.map((s, si) => {
        const td = el('td', { className: 'num' });
        td.append(...cellFor(oi, si, null).parts);
        return td;
      })));
    body.append(el('div', { className: 'scroll' }, el('table', { className: 'pulse-grid' },
      el('caption', { textContent: `${doc.title || 'Values'}: objects by statistic` }),
      el('thead', {}, headRow), el('tbody', {}, ...rowsEl))));
  } else if (kind === 'list') {
    const list = el('ol', { className: 'pulse-list' });
    const items = objects.map((o, oi) => {
      const li = el('li', { 'data-object': o.id }, el('span', { className: 'list-name', textContent: objectName(o) }));
      statistics.forEach((s, si) => {
        const c = cellFor(oi, si, si === 0 ? li : null);
        li.append(el('span', { className: 'list-value' }, ...(statistics.length > 1 ? [el('span', { className: 'list-alias', textContent: `${s.alias} ` })] : []), ...c.parts));
      });
      list.append(li);
      return { li, first: cells.get(keyOf(oi, 0)), name: objectName(o) };
    });
    body.append(list);
    // Ranked by the first statistic: by state, then longest in it, for an agent status;
    // else highest first. Re-ordered at most once a second (existing nodes move).
    let dirty = false;
    const rank = (it) => {
      const d = ctx.values.get(it.first.key);
      if (!d || !d.valid || d.error) return [Infinity, 0];
      if (statistics[0].format === 'agent_status') return [{ 2: 0, 1: 1, 3: 2 }[Math.round(d.value)] ?? 3, it.first.sinceAt ?? Infinity];
      return [-d.value, 0];
    };
    onValue = () => { dirty = true; };
    tick = () => {
      if (!dirty) return;
      dirty = false;
      const sorted = [...items].sort((a, b) => {
        const [a0, a1] = rank(a), [b0, b1] = rank(b);
        return a0 - b0 || a1 - b1 || a.name.localeCompare(b.name);
      });
      if (sorted.some((it, i) => list.children[i] !== it.li)) list.append(...sorted.map((it) => it.li));
    };
  } else if (kind === 'donut') {
    // Shares of one statistic across objects, or of several statistics on one object.
    const parts = objects.length > 1 ? objects.map((o, oi) => [oi, 0, objectName(o)]) : statistics.map((s, si) => [0, si, s.alias]);
    const ring = svg('svg', { viewBox: '0 0 42 42', class: 'donut', role: 'img', 'aria-label': `${doc.title || 'Shares'}: see the legend` });
    ring.append(svg('circle', { cx: 21, cy: 21, r: 15.915, fill: 'none', class: 'donut-track', 'stroke-width': 6 }));
    const arcs = parts.map((p, i) => {
      const a = svg('circle', { cx: 21, cy: 21, r: 15.915, fill: 'none', stroke: PALETTE[i % PALETTE.length], 'stroke-width': 6, 'stroke-dasharray': '0 100', 'stroke-dashoffset': 25 });
      ring.append(a);
      return a;
    });
    const total = svg('text', { x: 21, y: 22.5, 'text-anchor': 'middle', class: 'donut-total' });
    ring.append(total);
    const shares = [];
    const legend = el('ul', { className: 'legend' }, ...parts.map(([oi, si, name], i) => {
      const sw = el('span', { className: 'swatch', 'aria-hidden': 'true' });
      sw.style.background = PALETTE[i % PALETTE.length];
      const share = el('span', { className: 'share', textContent: '' });
      shares.push(share);
      return el('li', {}, sw, el('span', { className: 'legend-name', textContent: `${name} ` }), ...cellFor(oi, si, null).parts, ' ', share);
    }));
    body.append(el('div', { className: 'donut-wrap' }, ring, legend));
    onValue = () => {
      const vals = parts.map(([oi, si]) => {
        const d = ctx.values.get(keyOf(oi, si));
        return d && d.valid && !d.error && d.value > 0 ? d.value : 0;
      });
      const sum = vals.reduce((a, b) => a + b, 0);
      let at = 0;
      vals.forEach((v, i) => {
        const p = sum ? (v / sum) * 100 : 0;
        arcs[i].setAttribute('stroke-dasharray', `${p.toFixed(3)} ${(100 - p).toFixed(3)}`);
        arcs[i].setAttribute('stroke-dashoffset', String(25 - at));
        at += p;
        setText(shares[i], sum ? `(${Math.round(p)} %)` : '');
      });
      setText(total, format(sum, statistics[parts[0]?.[1] ?? 0]?.format === 'time' ? 'time' : 'integer'));
    };
    onValue();
  } else if (kind === 'trend') {
    ({ onValue, tick, history, destroy } = trend(w, doc, body, cellFor, label, ctx));
  }

  return { id, section, heading, tools, cells, onValue, tick, history, destroy: () => destroy(), doc };
}

// -- trend --------------------------------------------------------------------------------

const W = 600, H = 220, PAD_L = 58, PAD_R = 10, PAD_T = 10, PAD_B = 26;

/** A trend: a polyline per object × statistic over the history range, extended live. */
function trend(w, doc, body, cellFor, label, ctx) {
  const objects = doc.objects ?? [];
  const statistics = doc.statistics ?? [];
  const fmt = statistics[0]?.format ?? 'number';
  let retentionMs = (doc.history?.retention_h ?? DEFAULT_RETENTION_H) * 3600000;
  let sampleMs = (doc.history?.sample_s ?? 10) * 1000;
  let offset = 0;  // domain time - this browser's clock (from the history's "to")
  const domainNow = () => Date.now() + offset;

  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'trend', role: 'img', 'aria-label': `${doc.title || 'Trend'}: a line chart over time; the current values are in the legend`, 'data-points': '0' });
  const grid = svg('g', { class: 'trend-axis' });
  grid.append(svg('line', { x1: PAD_L, y1: H - PAD_B, x2: W - PAD_R, y2: H - PAD_B }), svg('line', { x1: PAD_L, y1: PAD_T, x2: PAD_L, y2: H - PAD_B }));
  const yTop = svg('text', { x: PAD_L - 4, y: PAD_T + 8, 'text-anchor': 'end' });
  const yBottom = svg('text', { x: PAD_L - 4, y: H - PAD_B, 'text-anchor': 'end' });
  const xLeft = svg('text', { x: PAD_L, y: H - 8, 'text-anchor': 'start' });
  const xRight = svg('text', { x: W - PAD_R, y: H - 8, 'text-anchor': 'end' });
  grid.append(yTop, yBottom, xLeft, xRight);
  chart.append(grid);
  const th = statistics[0]?.thresholds ?? {};
  const limits = ['warning', 'alarm'].filter((k) => th[k] != null).map((k) => {
    const line = svg('line', { class: `trend-limit ${k}`, x1: PAD_L, x2: W - PAD_R, y1: 0, y2: 0 });
    const text = svg('text', { class: `trend-limit-label ${k}`, x: W - PAD_R - 2, y: 0, 'text-anchor': 'end' });
    text.textContent = k;
    chart.append(line, text);
    return { k, line, text };
  });

  const series = [];
  const legend = el('ul', { className: 'legend' });
  objects.forEach((o, oi) => statistics.forEach((s, si) => {
    const colour = PALETTE[series.length % PALETTE.length];
    const line = svg('polyline', { fill: 'none', stroke: colour, 'stroke-width': 2, 'stroke-linejoin': 'round', points: '', class: 'trend-line' });
    chart.append(line);
    const c = cellFor(oi, si, null);
    const sw = el('span', { className: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = colour;
    legend.append(el('li', {}, sw, el('span', { className: 'legend-name', textContent: `${label(oi, si)} ` }), ...c.parts));
    const d = ctx.values.get(c.key);
    series.push({ key: c.key, line, ts: [], vs: [], last: d && d.valid && !d.error ? d.value : null, touched: 0 });
  }));
  body.append(chart, legend);
  const byKey = new Map(series.map((s) => [s.key, s]));

  const trim = (s) => {
    const oldest = domainNow() - retentionMs;
    let cut = Math.max(0, s.ts.length - MAX_POINTS);
    while (cut < s.ts.length && s.ts[cut] < oldest) ++cut;
    if (cut) { s.ts.splice(0, cut); s.vs.splice(0, cut); }
  };

  let pending = 0;
  const redraw = () => {
    pending = 0;
    let t0 = Infinity, t1 = -Infinity, lo = 0, hi = fmt === 'percent' ? 100 : 1, count = 0;
    for (const s of series) {
      count += s.ts.length;
      if (!s.ts.length) continue;
      t0 = Math.min(t0, s.ts[0]);
      t1 = Math.max(t1, s.ts[s.ts.length - 1]);
      for (const v of s.vs) { if (v > hi) hi = v; if (v < lo) lo = v; }
    }
    for (const { k } of limits) hi = Math.max(hi, th[k]);
    if (hi > (fmt === 'percent' ? 100 : 1)) hi *= 1.1;
    if (!Number.isFinite(t0)) { t1 = domainNow(); t0 = t1 - 60000; }
    t1 = Math.max(t1, t0 + 60000);
    const x = (t) => PAD_L + ((t - t0) / (t1 - t0)) * (W - PAD_L - PAD_R);
    const y = (v) => H - PAD_B - ((v - lo) / (hi - lo || 1)) * (H - PAD_T - PAD_B);
    for (const s of series) {
      // At most two points (low and high) per horizontal unit of the chart.
      const pts = [];
      let bucket = -1, bMin = 0, bMax = 0, bFirst = 0;
      const flush = () => { if (bucket >= 0) { pts.push(`${bucket},${y(bFirst <= bMax ? bMin : bMax).toFixed(1)}`); if (bMin !== bMax) pts.push(`${bucket},${y(bFirst <= bMax ? bMax : bMin).toFixed(1)}`); } };
      for (let i = 0; i < s.ts.length; ++i) {
        const px = Math.round(x(s.ts[i]));
        const v = s.vs[i];
        if (px !== bucket) { flush(); bucket = px; bMin = bMax = bFirst = v; } else { bMin = Math.min(bMin, v); bMax = Math.max(bMax, v); }
      }
      flush();
      s.line.setAttribute('points', pts.join(' '));
    }
    for (const { k, line, text } of limits) {
      const yy = y(th[k]).toFixed(1);
      line.setAttribute('y1', yy);
      line.setAttribute('y2', yy);
      text.setAttribute('y', (Number(yy) - 3).toFixed(1));
    }
    yTop.textContent = format(hi, fmt);
    yBottom.textContent = format(lo, fmt);
    const clock = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    xLeft.textContent = clock(t0);
    xRight.textContent = clock(t1);
    chart.dataset.points = String(count);
  };
  const schedule = () => { if (!pending) pending = setTimeout(redraw, REDRAW_MS); };

  /** Adds (t, v) to series s: at most one point a second (a later value in the same second replaces it). */
  const add = (s, t, v) => {
    s.touched = Date.now();
    const n = s.ts.length;
    if (n && t < s.ts[n - 1]) t = s.ts[n - 1];
    if (n && Math.floor(t / 1000) === Math.floor(s.ts[n - 1] / 1000)) {
      s.vs[n - 1] = v;
    } else {
      s.ts.push(t);
      s.vs.push(v);
    }
    trim(s);
    schedule();
  };

  const onValue = (key, d) => {
    const s = byKey.get(key);
    if (!s) return;
    if (!d || !d.valid || d.error) { s.last = null; return; }
    s.last = d.value;
    const t = Date.parse(d.time);
    add(s, Number.isFinite(t) && Math.abs(t - domainNow()) < 60000 ? t : domainNow(), d.value);
  };

  // Between events the last value holds: the line goes on at the sampling period.
  const tick = () => {
    if (ctx.stale) return;
    for (const s of series)
      if (s.last != null && Date.now() - s.touched >= sampleMs * 0.9) add(s, domainNow(), s.last);
  };

  /** The samples from the server, merged in: points already drawn stay; a sample within half a period of one is not added. */
  let loading = null;
  const history = () => {
    if (loading || !ctx.dashboard) return loading;
    loading = (async () => {
      try {
        const h = await api('GET', `/api/v1/dashboards/${ctx.dashboard}/history?widget=${w.id}`);
        offset = h.to - Date.now();
        if (h.sample_s) sampleMs = h.sample_s * 1000;
        if (h.to > h.from) retentionMs = h.to - h.from;
        for (const hs of h.series ?? []) {
          const s = byKey.get(hs.key);
          if (!s || !hs.points?.length) continue;
          const pts = hs.points.slice(-MAX_POINTS);
          const half = sampleMs / 2;
          const ts = [], vs = [];
          let i = 0, j = 0;
          while (i < s.ts.length || j < pts.length) {
            if (j >= pts.length || (i < s.ts.length && s.ts[i] <= pts[j][0])) {
              ts.push(s.ts[i]); vs.push(s.vs[i]); ++i;
            } else {
              const t = pts[j][0];
              const near = (ts.length && t - ts[ts.length - 1] < half) || (i < s.ts.length && s.ts[i] - t < half);
              if (!near) { ts.push(t); vs.push(pts[j][1]); }
              ++j;
            }
          }
          s.ts = ts;
          s.vs = vs;
          trim(s);
        }
        redraw();
      } catch (e) {
        ctx.problem?.(`${doc.title || 'Trend'}: its history could not be read (${e.message})`);
      } finally {
        loading = null;
      }
    })();
    return loading;
  };

  redraw();
  return { onValue, tick, history, destroy: () => clearTimeout(pending) };
}

// -- a dashboard --------------------------------------------------------------------------

/**
 * The widgets of one dashboard in `container`, fed by `stat(event)`. `decorate(widget,
 * tools)` may add buttons to a widget's header (the Dashboards page's edit and delete);
 * `problem(text)` hears what went wrong (a trend's history).
 */
export class DashboardView {
  constructor(container, { decorate, problem } = {}) {
    this.container = container;
    this.decorate = decorate;
    this.ctx = { values: new Map(), stale: false, dashboard: null, problem };
    this.widgets = new Map();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  /** Draws dashboard `d` ({id, widgets}) from scratch; values already known stay. */
  show(d) {
    this.clear();
    this.ctx.dashboard = d.id;
    const keep = new Set();
    for (const w of d.widgets ?? []) {
      this.add(w);
      for (const k of this.widgets.get(w.id).cells.keys()) keep.add(k);
    }
    for (const k of [...this.ctx.values.keys()]) if (!keep.has(k.replace(/\.since$/, ''))) this.ctx.values.delete(k);
  }

  /** Adds widget w ({id, widget, template}) at the end (or in place of the one it replaces). */
  add(w, replacing = null) {
    const widget = makeWidget(w, this.ctx);
    this.decorate?.(w, widget.tools);
    if (replacing) replacing.section.replaceWith(widget.section);
    else this.container.append(widget.section);
    this.widgets.set(w.id, widget);
    for (const c of widget.cells.values()) {
      paint(c, this.ctx.values.get(c.key));
      if (c.since) paintSince(c, this.ctx.values.get(`${c.key}.since`));
      if (this.ctx.stale) c.value.dataset.stale = 'true';
    }
    widget.onValue();
    widget.history?.();
    return widget;
  }

  /** Draws widget w again (its display changed); its values stay. */
  replace(w) {
    const old = this.widgets.get(w.id);
    if (!old) return this.add(w);
    old.destroy();
    return this.add(w, old);
  }

  remove(id) {
    const old = this.widgets.get(id);
    if (!old) return;
    old.destroy();
    old.section.remove();
    this.widgets.delete(id);
    for (const k of [...this.ctx.values.keys()]) if (k.startsWith(`${id}.`)) this.ctx.values.delete(k);
  }

  /** A `stat` event of the dashboard's stream. */
  stat(d) {
    const key = d.key;
    if (typeof key !== 'string') return;
    this.ctx.values.set(key, d);
    const widget = this.widgets.get(Number(key.split('.')[0]));
    if (!widget) return;
    if (key.endsWith('.since')) {
      const c = widget.cells.get(key.slice(0, -6));
      if (c?.since) paintSince(c, d);
      return;
    }
    const c = widget.cells.get(key);
    if (!c) return;
    paint(c, d);
    widget.onValue(key, d);
  }

  /** While the stream is down every value is stale: greyed, with the word. */
  setStale(stale) {
    if (this.ctx.stale === stale) return;
    this.ctx.stale = stale;
    this.container.toggleAttribute('data-stale', stale);
    for (const w of this.widgets.values()) {
      w.section.toggleAttribute('data-stale', stale);
      for (const c of w.cells.values()) {
        if (stale) c.value.dataset.stale = 'true';
        else delete c.value.dataset.stale;
      }
    }
  }

  /** The stream is back: the trends read the samples taken meanwhile. */
  reconnected() {
    for (const w of this.widgets.values()) w.history?.();
  }

  tick() {
    for (const w of this.widgets.values()) {
      for (const c of w.cells.values()) if (c.since && c.sinceAt != null) tickSince(c);
      w.tick();
    }
  }

  clear() {
    for (const w of this.widgets.values()) w.destroy();
    this.widgets.clear();
    this.container.replaceChildren();
  }

  destroy() {
    this.clear();
    clearInterval(this.timer);
  }
}
