// Wallboard (/wallboard.html?dashboard=ID, docs/pulse.md): one dashboard full screen in large
// type, no navigation. It never gives up: the stream reconnects by itself (backing off to
// 10 s), values grey out with a "Reconnecting…" banner while it is down, and the dashboard is
// read again after a reconnect and every minute, so an edited dashboard shows without a reload.
// Only a 401 (the account removed or its password changed) leaves, for the login page.
import { api, live, say } from './app.js';
import { DashboardView } from './pulse.js';

const $ = (id) => document.getElementById(id);
const message = $('message');
const id = Number(new URLSearchParams(location.search).get('dashboard'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The clock, and full screen on demand (a browser allows it only after a click).
const clock = $('clock');
const tick = () => {
  const now = new Date();
  clock.dateTime = now.toISOString();
  clock.textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};
tick();
setInterval(tick, 1000);
const full = $('fullscreen');
full.hidden = !document.fullscreenEnabled;
full.addEventListener('click', () => document.documentElement.requestFullscreen?.().catch(() => {}));
document.addEventListener('fullscreenchange', () => { full.hidden = !!document.fullscreenElement || !document.fullscreenEnabled; });

const view = new DashboardView($('widgets'), { problem: (text) => say(message, text, true) });
let signature = '';    // its widgets, to notice a change
let stream = null;
const sign = (d) => JSON.stringify([d.name, d.widgets.map((w) => [w.id, w.widget])]);

function onState(state) {
  const stale = state === 'reconnecting';
  view.setStale(stale);
  $('stale-banner').hidden = !stale;
  if (stale) onState.down = true;
  else if (state === 'live' && onState.down) {
    onState.down = false;
    view.reconnected();
    refresh();
  }
}

function show(d) {
  signature = sign(d);
  $('wall-name').textContent = d.name;
  document.title = `${d.name} — Parley wallboard`;
  view.show(d);
  stream?.close();
  if (d.widgets.length) {
    say(message, '');
    stream = live({ stat: (e) => view.stat(e) }, `/api/v1/live?dashboard=${d.id}`, { onState, maxDelay: 10000 });
  } else {
    say(message, 'This dashboard has no widgets yet.');
    stream = live({}, '/api/v1/live', { onState, maxDelay: 10000 });
  }
}

/** The dashboard, read until it comes (a 401 goes to the login page inside api()). */
async function load() {
  for (let delay = 1000; ; delay = Math.min(delay * 2, 10000)) {
    try {
      return await api('GET', `/api/v1/dashboards/${id}`);
    } catch (e) {
      say(message, e.status === 404
        ? `Dashboard ${id} is not shared with this wallboard's tenants, or it no longer exists. Trying again…`
        : `${e.message} Trying again…`, true);
      await sleep(delay);
    }
  }
}

/** Reads the dashboard again; draws it anew only when its widgets or name changed. */
async function refresh() {
  try {
    const d = await api('GET', `/api/v1/dashboards/${id}`);
    if (sign(d) !== signature) show(d);
  } catch { /* the stream's recovery and the next minute try again */ }
}

if (!(id > 0)) {
  say(message, 'Name the dashboard to show: /wallboard.html?dashboard=ID', true);
} else {
  show(await load());
  setInterval(refresh, 60000);
  // Asking who we are renews a wallboard's cookie (a browser keeps one 400 days at most).
  setInterval(() => api('GET', '/api/v1/session').catch(() => {}), 6 * 3600 * 1000);
}
