// Parley operator UI: what every page shares — the API wrapper, the session, the page
// header, role checks, the live stream and small table helpers. No framework, no build step.

const ROLES = ['viewer', 'supervisor', 'operator', 'admin'];
let csrf = '';

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function toLogin() {
  const here = location.pathname + location.search;
  location.assign('/login.html?next=' + encodeURIComponent(here));
}

/** fetch with the CSRF token on changes; a JSON or Blob body; throws ApiError; 401 → login. */
export async function request(method, path, body) {
  const headers = {};
  if (body instanceof Blob) headers['Content-Type'] = 'text/csv';
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin' }).catch(() => {
    throw new ApiError(0, 'network', 'The engine could not be reached, or it closed the connection.');
  });
  if (res.ok) return res;
  if (res.status === 401 && !(method === 'POST' && path === '/api/v1/session')) {
    toLogin();
    return new Promise(() => {}); // the page is leaving: nothing more to do here
  }
  let err = null;
  try { err = (await res.json()).error; } catch { /* not JSON */ }
  throw new ApiError(res.status, err?.code ?? 'http', err?.message ?? `HTTP ${res.status} ${res.statusText}`);
}

export async function api(method, path, body) {
  const text = await (await request(method, path, body)).text();
  return text ? JSON.parse(text) : null;
}

export const atLeast = (session, role) => ROLES.indexOf(session.role) >= ROLES.indexOf(role);

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith('aria-') || k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children);
  return e;
}

const PAGES = [['/', 'Overview'], ['/queues.html', 'Queues & agents'], ['/campaigns.html', 'Campaigns'],
  ['/dashboards.html', 'Dashboards'], ['/lists.html', 'Lists'], ['/dnc.html', 'Do-not-call'],
  ['/reports.html', 'Reports'], ['/audit.html', 'Audit']];

/** Who is asking (401 → login), then the header: nav, whoami, log out. */
export async function start() {
  const session = await api('GET', '/api/v1/session');
  csrf = session.csrf ?? '';
  const here = location.pathname === '/index.html' ? '/' : location.pathname;
  const links = PAGES.map(([href, text]) => {
    const a = el('a', { href, textContent: text });
    if (href === here) a.setAttribute('aria-current', 'page');
    return el('li', {}, a);
  });
  const logout = el('button', { id: 'logout', type: 'button', textContent: 'Log out' });
  logout.addEventListener('click', async () => {
    try { await api('DELETE', '/api/v1/session'); } catch { /* gone already */ }
    location.assign('/login.html');
  });
  document.getElementById('top').replaceChildren(
    el('a', { className: 'brand', href: '/' }, el('img', { src: '/favicon.svg', alt: '' }), 'Parley'),
    el('nav', { 'aria-label': 'Main' }, el('ul', {}, ...links)),
    el('div', { className: 'me' },
      el('span', { id: 'live-status', className: 'live' }),
      el('span', { id: 'whoami', textContent: `${session.user} (${session.role})` }),
      logout));
  return session;
}

/**
 * One EventSource per page (or per open dashboard): handlers by event type. Recovers after a
 * restart of parleyd. `url` is the stream (default the live hub's); `opts.onState(state)`
 * hears connecting / live / reconnecting, `opts.maxDelay` caps the retry delay (ms) after the
 * engine answered an error. Returns { close() } — a closed stream retries no more.
 */
export function live(handlers, url = '/api/v1/live', opts = {}) {
  const status = document.getElementById('live-status');
  const show = (state, text) => {
    if (status) { status.dataset.state = state; status.textContent = text; }
    opts.onState?.(state);
  };
  const maxDelay = opts.maxDelay ?? 5000;
  let delay = 1000;
  let es = null;
  let timer = 0;
  let closed = false;
  const open = () => {
    timer = 0;
    if (closed) return;
    es = new EventSource(url);
    const mine = es;
    es.onopen = () => { delay = 1000; show('live', 'Live'); };
    es.onerror = async () => {
      if (closed || mine !== es) return;
      show('reconnecting', 'Reconnecting…');
      if (mine.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      try {
        if ((await fetch('/api/v1/session', { credentials: 'same-origin' })).status === 401) return toLogin();
      } catch { /* parleyd is down: try again later */ }
      if (closed || mine !== es) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, maxDelay);
    };
    for (const [type, fn] of Object.entries(handlers))
      es.addEventListener(type, (e) => fn(JSON.parse(e.data)));
  };
  show('connecting', 'Connecting…');
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      es?.close();
    },
  };
}

/** Show a result (or an error, as an alert) in a message area. */
export function say(where, text, error = false) {
  where.setAttribute('role', error ? 'alert' : 'status');
  where.classList.toggle('error', error);
  where.textContent = text;
}

/**
 * Rows of a table keyed by a data attribute (tr[data-queue="sales"]), kept in key order.
 * fill(tr, obj) returns the cells: [field, value, numeric]; value is text or fn(cell).
 */
export function rows(table, attr, fill, empty = 'None.', keyOf = (o) => o.name) {
  const body = table.tBodies[0];
  const note = el('p', { className: 'empty', textContent: empty });
  table.after(note);
  const find = (k) => [...body.rows].find((r) => r.dataset[attr] === k);
  const check = () => { note.hidden = body.rows.length > 0; };
  const put = (o) => {
    const k = String(keyOf(o));
    let tr = find(k);
    if (!tr) {
      tr = el('tr');
      tr.dataset[attr] = k;
      body.insertBefore(tr, [...body.rows].find((r) => r.dataset[attr] > k) ?? null);
    }
    fill(tr, o).forEach(([field, value, numeric], i) => {
      let c = tr.cells[i];
      if (!c) {
        c = el(i ? 'td' : 'th');
        if (!i) c.scope = 'row';
        c.dataset.field = field;
        if (numeric) c.className = 'num';
        tr.append(c);
      }
      if (typeof value === 'function') value(c);
      else c.textContent = value;
    });
    check();
  };
  const remove = (k) => { find(String(k))?.remove(); check(); };
  const replace = (list) => {
    const keep = new Set(list.map((o) => String(keyOf(o))));
    for (const r of [...body.rows]) if (!keep.has(r.dataset[attr])) r.remove();
    list.forEach(put);
    check();
  };
  check();
  return { put, remove, replace, find };
}

// Formatting: numbers with the browser's locale, durations as h:mm:ss.
const nf = new Intl.NumberFormat();
export const num = (n) => nf.format(n);
const pct = (f, digits = 1) => `${(f * 100).toFixed(digits)} %`;
export function duration(s) {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

/** Service level: a percent with a word beside the colour (80 % and over: on target). */
function serviceLevel(today) {
  return (c) => {
    const p = today.service_level_pct;
    const level = p == null ? 'none' : p >= 80 ? 'ok' : p >= 60 ? 'low' : 'bad';
    c.dataset.level = level;
    c.title = `answered within ${today.service_level_s} s`;
    c.replaceChildren(p == null ? '—' : `${Math.round(p)} % `,
      level === 'none' ? '' : el('span', { className: 'tag', textContent: { ok: 'OK', low: 'Low', bad: 'Alert' }[level] }));
  };
}

/** The queues table (Overview and Queues & agents); open(name) makes the name a button. */
export function queueTable(table, open) {
  return rows(table, 'queue', (tr, q) => [
    ['name', open ? (c) => {
      if (!c.firstChild) c.append(el('button', { type: 'button', className: 'link', textContent: q.name, onclick: () => open(q.name) }));
    } : q.name],
    ['tenant', q.tenant],
    ['waiting', num(q.waiting), true],
    ['oldest_wait', q.waiting ? duration(q.oldest_wait_s) : '—', true],
    ['ready_agents', num(q.ready_agents), true],
    ['service_level', serviceLevel(q.today), true],
    ['answered', num(q.today.answered), true],
    ['abandoned', num(q.today.abandoned), true],
  ], 'No queues in your tenants.');
}

/** A campaign's cells shared by Overview and Campaigns. */
export const campaignCells = (c) => [
  ['name', c.name],
  ['tenant', c.tenant],
  ['state', (cell) => { cell.dataset.state = c.state; cell.textContent = c.state; }],
  ['mode', c.mode],
  ['agents', `${num(c.ready_agents)} / ${num(c.agents)}`, true],
  ['dialed', num(c.dialed), true],
  ['answered', num(c.answered), true],
  ['abandoned', num(c.abandoned), true],
  ['abandon_rate', pct(c.abandon_rate), true],
];
