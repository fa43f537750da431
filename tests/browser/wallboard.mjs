// A wallboard (docs/pulse.md): a wallboard account opens a dashboard shared with its tenant
// at 1920×1080 — no navigation, live — and under a steady load (20 submits a second for a
// minute) its values change while the page's JavaScript heap and DOM stay flat: nothing is
// appended per event. Its session cookie lasts years, not http.session_hours.
import { call, check, driver, log, login, newPage, run, waitLive } from './lib.mjs';

const MB = 1024 * 1024;

await run(async () => {
  // An operator shares a dashboard with acme: the queue's KPIs and a trend of its waiting count.
  const oper = await newPage();
  await login(oper, 'oper', '/');
  const made = await call(oper, 'POST', '/api/v1/dashboards', {
    name: 'Sales wall', shared: true, tenant: 'acme', template: 'Queue KPIs', title: 'Sales', objects: [{ type: 'queue', id: 'sales' }],
  });
  check(made.status === 201, `an operator shares a dashboard with acme (${made.status} ${made.body?.error?.message ?? ''})`);
  const id = made.body.id;
  const kpi = made.body.widgets[0].id;
  const trend = await call(oper, 'POST', `/api/v1/dashboards/${id}/widgets`, {
    widget: {
      kind: 'trend', title: 'Waiting in sales', objects: [{ type: 'queue', id: 'sales' }],
      statistics: [{ alias: 'Waiting', metric: 'current_in_queue', interval: 'growing_reset', format: 'integer', thresholds: { warning: 200, alarm: 500 } }],
      refresh: { mode: 'on_change', sensitivity: 0 },
    },
  });
  check(trend.status === 201, `and adds a trend widget (${trend.status} ${trend.body?.error?.message ?? ''})`);
  await oper.close();

  // The wallboard account, full HD.
  const page = await newPage({ width: 1920, height: 1080 });
  await login(page, 'wall', '/');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'parley_session');
  const years = (cookie.expires - Date.now() / 1000) / (365 * 86400);
  check(years > 1, `the wallboard's session cookie lasts ${years.toFixed(1)} years`);
  await page.goto(new URL(`/wallboard.html?dashboard=${id}`, page.url()).href);
  await waitLive(page);
  const waiting = await page.$eval(`section.widget[data-widget="${kpi}"]`, (w) =>
    `[data-key="${[...w.querySelectorAll('.tile')].find((t) => t.querySelector('.tile-label')?.textContent === 'Waiting').querySelector('.value').dataset.key}"]`);
  await page.waitForFunction((k) => /^\d+$/.test(document.querySelector(k)?.textContent ?? ''), waiting, { timeout: 5000 });
  check(await page.$('nav, #logout') === null, 'the wallboard has no navigation');
  check(/^\d{1,2}:\d{2}/.test((await page.textContent('#clock')).trim()), `it shows a clock (${(await page.textContent('#clock')).trim()})`);
  check(await page.$(`section.widget[data-widget="${trend.body.id}"] svg.trend`) !== null, 'and the trend chart');

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
    const dom = await page.evaluate(([k, t]) => {
      let nodes = 0;
      for (const w = document.createTreeWalker(document, NodeFilter.SHOW_ALL); w.nextNode();) ++nodes;
      return {
        nodes, waiting: document.querySelector(k)?.textContent,
        points: Number(document.querySelector(`section.widget[data-widget="${t}"] svg.trend`)?.dataset.points),
        stale: document.querySelector('[data-stale]') !== null,
      };
    }, [waiting, trend.body.id]);
    return { heap: m.JSHeapUsedSize, cdpNodes: m.Nodes, listeners: m.JSEventListeners, ...dom };
  };

  await driver('load 20 60');  // 20 submits a second to acme/sales for a minute, in the background
  await page.waitForTimeout(10000);  // warm-up
  const samples = [];
  for (let i = 0; i < 6; ++i) {
    if (i) await page.waitForTimeout(10000);
    const s = await sample();
    samples.push(s);
    log(`t=${10 + 10 * i}s heap ${(s.heap / MB).toFixed(2)} MB, DOM nodes ${s.nodes} (CDP ${s.cdpNodes}), listeners ${s.listeners}, waiting ${s.waiting}, trend points ${s.points}${s.stale ? ', STALE' : ''}`);
  }
  const first = samples[0], last = samples[samples.length - 1];
  const waits = new Set(samples.map((s) => s.waiting));
  check(waits.size >= 4, `the values change under load (waiting ${[...waits].join(' → ')})`);
  check(last.points > first.points, `the trend grows (${first.points} → ${last.points} points)`);
  check(samples.every((s) => !s.stale), 'never stale while the engine is up');
  check(last.heap < first.heap * 1.5 + 2 * MB,
    `the heap stays flat: ${(first.heap / MB).toFixed(2)} → ${(last.heap / MB).toFixed(2)} MB (limit ${((first.heap * 1.5 + 2 * MB) / MB).toFixed(2)})`);
  const counts = samples.map((s) => s.nodes);
  check(Math.max(...counts) - Math.min(...counts) <= 50, `the DOM does not grow: ${Math.min(...counts)}–${Math.max(...counts)} nodes`);
}, 120000);
