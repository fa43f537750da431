// Pulse dashboards (docs/pulse.md) in the browser: a supervisor makes a dashboard from the
// "Queue KPIs" template with the page's form and its values follow submits within a second;
// the display's thresholds turn a tile to alarm, with the word beside the colour; a viewer
// sees a shared dashboard without any control and a forged change is refused; a trend keeps
// its points across a restart of parleyd (history from the server) and goes on growing.
import { call, check, driver, log, login, newPage, run, takeProblems, waitLive } from './lib.mjs';

/// The data-key of the value labelled `alias` in widget `wid` (a KPI tile's label).
async function keyOf(page, wid, alias) {
  return page.$eval(`section.widget[data-widget="${wid}"]`, (w, a) =>
    [...w.querySelectorAll('.tile')].find((t) => t.querySelector('.tile-label')?.textContent === a)
      ?.querySelector('.value')?.dataset.key, alias);
}

const text = async (page, sel) => (await page.textContent(sel))?.trim();
const waitText = (page, sel, want, timeout) => page.waitForFunction(([s, w]) =>
  document.querySelector(s)?.textContent.trim() === w, [sel, want], { timeout });
const points = (page, wid) => page.$eval(`section.widget[data-widget="${wid}"] svg.trend`, (s) => Number(s.dataset.points));

await run(async () => {
  // (a) A supervisor makes a dashboard with the form; its values are live.
  const page = await newPage();
  await login(page, 'sup', '/dashboards.html');
  await waitLive(page);
  check(await page.isVisible('#new-form'), 'a supervisor gets the New dashboard form');
  await page.fill('#new-name', 'Sales floor');
  await page.selectOption('#new-template', 'Queue KPIs');
  await page.selectOption('#new-type', 'queue');
  await page.fill('#new-object', 'sales');
  await page.click('#new-submit');
  await page.waitForSelector('#tabs button.tab[aria-current="true"]', { timeout: 5000 }).catch(async () => {
    throw new Error(`no dashboard was made: ${await text(page, '#message')}`);
  });
  const id = Number(await page.getAttribute('#tabs button.tab[aria-current="true"]', 'data-dashboard'));
  const wid = await page.getAttribute('section.widget[data-kind="kpi"]', 'data-widget');
  check(id > 0 && Number(wid) > 0, `dashboard ${id} opens as a tab with KPI widget ${wid}`);
  check(new URL(page.url()).searchParams.get('dashboard') === String(id), 'the address names the open dashboard');
  await waitLive(page);
  const waiting = `[data-key="${await keyOf(page, wid, 'Waiting')}"]`;
  const distributed = `[data-key="${await keyOf(page, wid, 'Distributed')}"]`;
  const serviceLevel = `[data-key="${await keyOf(page, wid, 'Service level')}"]`;
  await waitText(page, waiting, '0', 5000);
  check(true, 'Waiting shows 0');
  for (const expected of ['1', '2']) {
    await driver('submit acme sales');
    const t0 = Date.now();
    await waitText(page, waiting, expected, 1000);
    log(`waiting ${expected} shown ${Date.now() - t0} ms after the submit was acknowledged`);
  }
  check(true, 'each submit shows within a second');
  const sl = await text(page, serviceLevel);
  check(sl === '—' || /^\d+(\.\d)? %$/.test(sl), `the service level is shown ("${sl}")`);
  const before = Number(await text(page, distributed));
  await driver('agent a1 ready');  // takes a waiting call (it waited well under 20 s) and holds it
  const t1 = Date.now();
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s)?.textContent) > n, [distributed, before], { timeout: 1000 });
  await waitText(page, waiting, '1', 1000);
  await waitText(page, serviceLevel, '100.0 %', 1000);
  check(true, `a ready agent takes a call: distributed ${before} -> ${await text(page, distributed)}, waiting 1, `
    + `service level ${sl} -> 100.0 %, all shown ${Date.now() - t1} ms after the agent's ready was acknowledged`);
  const tabs = await call(page, 'GET', '/api/v1/pulse/tabs');
  check(tabs.body.tabs.includes(id), `the open tab is kept on the server (${JSON.stringify(tabs.body.tabs)})`);

  // (b) Thresholds from the display dialog: alarm at 2, warning at 1.
  await page.click(`section.widget[data-widget="${wid}"] button[data-action="edit"]`);
  await page.waitForSelector('#edit-dialog[open]');
  const s = await page.$$eval('#edit-fields fieldset', (fs) => fs.findIndex((f) => f.querySelector('input[id$="-alias"]').value === 'Waiting'));
  await page.fill(`#edit-s${s}-warning`, '1');
  await page.fill(`#edit-s${s}-alarm`, '2');
  await page.setChecked(`#edit-s${s}-lower`, false);
  await page.click('#edit-save');
  await page.waitForSelector('#edit-dialog:not([open])', { state: 'attached', timeout: 3000 }).catch(async () => {
    throw new Error(`the display was not saved: ${await text(page, '#edit-error')}`);
  });
  await page.waitForSelector(`${waiting}[data-level="warning"]`, { timeout: 2000 });
  check(true, 'one waiting is at the warning level');
  await driver('submit acme sales');
  await page.waitForSelector(`${waiting}[data-level="alarm"]`, { timeout: 1000 });
  const tile = await page.$eval(waiting, (v) => v.closest('.tile').textContent);
  check(/alarm/.test(tile) && /▲/.test(tile), `two waiting: the tile says alarm beside the colour ("${tile.replace(/\s+/g, ' ').trim()}")`);
  const saved = await call(page, 'GET', `/api/v1/dashboards/${id}`);
  const th = saved.body.widgets.find((w) => String(w.id) === wid).widget.statistics[s].thresholds;
  check(th.warning === 1 && th.alarm === 2 && !th.lower_is_worse, `the thresholds are stored (${JSON.stringify(th)})`);

  // (c) A viewer on a dashboard an operator shared with acme: values, no controls; forged changes refused.
  const oper = await newPage();
  await login(oper, 'oper', '/');
  const shared = await call(oper, 'POST', '/api/v1/dashboards', {
    name: 'Acme floor', shared: true, tenant: 'acme', template: 'Queue KPIs', title: 'Sales', objects: [{ type: 'queue', id: 'sales' }],
  });
  check(shared.status === 201, `an operator shares a dashboard with acme (${shared.status} ${shared.body?.error?.message ?? ''})`);
  const sid = shared.body.id;
  const swid = shared.body.widgets[0].id;
  const viewer = await newPage();
  await login(viewer, 'view', `/dashboards.html?dashboard=${sid}`);
  await waitLive(viewer);
  const vkey = `[data-key="${await keyOf(viewer, swid, 'Waiting')}"]`;
  await viewer.waitForFunction((k) => /^\d+$/.test(document.querySelector(k)?.textContent ?? ''), vkey, { timeout: 5000 });
  check(true, `the viewer sees the values (waiting ${await text(viewer, vkey)})`);
  const controls = await viewer.$$eval('section.widget button, #add-widget:not([hidden]), #delete-dashboard:not([hidden]), #create:not([hidden]), button[data-action]',
    (els) => els.map((e) => e.id || e.dataset.action || e.textContent));
  check(controls.length === 0, `the viewer has no create, edit, add or delete control (${controls.join(', ') || 'none'})`);
  check(await viewer.$('#new-form') === null || !(await viewer.isVisible('#new-form')), 'the viewer gets no New dashboard form');
  const doc = shared.body.widgets[0].widget;
  const forged = await call(viewer, 'PUT', `/api/v1/dashboards/${sid}/widgets/${swid}`, { widget: { ...doc, title: 'forged' } });
  check(forged.status === 403, `the viewer's forged widget change is refused (${forged.status} ${forged.body?.error?.message})`);
  const forgedDelete = await call(viewer, 'DELETE', `/api/v1/dashboards/${sid}`);
  check(forgedDelete.status === 403, `the viewer's forged delete is refused (${forgedDelete.status} ${forgedDelete.body?.error?.message})`);
  await viewer.close();
  await oper.close();

  // (d) A trend: the supervisor adds "Service Level" with the form; it survives a restart.
  await page.click('#add-widget');
  await page.selectOption('#add-template', 'Service Level');
  await page.selectOption('#add-type', 'queue');
  await page.fill('#add-object', 'sales');
  await page.click('#add-submit');
  await page.waitForSelector('section.widget[data-kind="trend"]', { timeout: 5000 }).catch(async () => {
    throw new Error(`no trend widget was added: ${await text(page, '#message')}`);
  });
  const twid = await page.getAttribute('section.widget[data-kind="trend"]', 'data-widget');
  await waitLive(page);
  await page.waitForFunction((w) => Number(document.querySelector(`section.widget[data-widget="${w}"] svg.trend`)?.dataset.points) >= 3,
    twid, { timeout: 20000 });
  const n = await points(page, twid);
  check(n >= 3, `the trend has ${n} points`);
  const samples = async () => (await call(page, 'GET', `/api/v1/dashboards/${id}/history?widget=${twid}`)).body?.series?.[0]?.points?.length ?? 0;
  let kept = 0;
  for (const until = Date.now() + 15000; (kept = await samples()) < 3 && Date.now() < until;) await page.waitForTimeout(500);
  check(kept >= 3, `the server samples it (${kept} samples)`);

  // Watched from before the restart: the page may be back by the time the driver answers.
  const stale = page.waitForFunction(() => document.querySelector('section.widget[data-stale]') && !document.getElementById('stale-banner').hidden,
    null, { timeout: 60000, polling: 50 }).then(() => true, () => false);
  await driver('restart');
  check(await stale, 'while parleyd is away the values are stale, with a banner');
  await waitLive(page, 20000);
  takeProblems();  // the refused connections while parleyd was down are expected
  check(true, 'the page is live again after the restart');
  await page.waitForSelector('section.widget[data-stale]', { state: 'detached', timeout: 2000 });
  check(!(await page.isVisible('#stale-banner')), 'the values are no longer stale');
  const stored = await samples();
  check(stored >= kept, `the server kept the trend's samples across the restart (${kept} -> ${stored})`);
  const after = await points(page, twid);
  check(after >= n, `the trend still has its points after the restart (${n} -> ${after})`);
  await page.waitForFunction(([w, m]) => Number(document.querySelector(`section.widget[data-widget="${w}"] svg.trend`)?.dataset.points) > m,
    [twid, after], { timeout: 10000 });
  check(true, `and it keeps growing (${await points(page, twid)} points)`);
  const was = Number(await text(page, waiting));
  await driver('submit acme sales');
  await waitText(page, waiting, String(was + 1), 2000);
  check(new URL(page.url()).pathname === '/dashboards.html', `a submit after the restart shows (${was} -> ${was + 1} waiting); never sent to the login`);
}, 120000);
