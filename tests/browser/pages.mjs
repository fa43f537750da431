// Every page for each role: it loads, goes live, and has no script error or policy
// violation; every control has a name a screen reader reads, and the first Tab lands on
// the skip link. With PARLEY_SCREENSHOTS=<folder> it saves the screenshots of docs/ui.md
// there, after giving the pages something to show (agents, calls, a list, a campaign).
import { mkdirSync } from 'node:fs';
import { call, check, driver, login, newPage, run, waitLive } from './lib.mjs';

const pages = [['overview', '/'], ['queues', '/queues.html'], ['campaigns', '/campaigns.html'],
               ['dashboards', '/dashboards.html'], ['lists', '/lists.html'], ['dnc', '/dnc.html'],
               ['reports', '/reports.html'], ['audit', '/audit.html']];
const shots = process.env.PARLEY_SCREENSHOTS;

/// Controls without an accessible name (a label, aria-label or text).
async function unnamed(page) {
  return page.$$eval('input:not([type=hidden]), select, textarea, button, a[href]', (els) =>
    els.filter((e) => e.offsetParent !== null)
      .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') ||
                       e.textContent.trim() || e.getAttribute('title')))
      .map((e) => e.outerHTML.slice(0, 80)));
}

await run(async () => {
  if (shots) {
    mkdirSync(shots, { recursive: true });
    for (const a of ['a1', 'a2', 'a3', 'a4'])
      await driver(`agent ${a} ready`);
    await driver('agent a4 not_ready');
    for (let i = 0; i < 6; ++i)
      await driver('submit acme sales');
    for (let i = 0; i < 2; ++i)
      await driver('submit acme support');
  }
  for (const [user, role] of [['view', 'viewer'], ['sup', 'supervisor'], ['oper', 'operator'], ['admin', 'admin']]) {
    const page = await newPage();
    await login(page, user);
    for (const [name, path] of pages) {
      await page.goto(new URL(path, page.url()).href);
      await waitLive(page);
      await page.waitForLoadState('networkidle');
      const missing = await unnamed(page);
      check(missing.length === 0, `${role}: ${name} has a name on every control${missing.length ? ': ' + missing.join(' | ') : ''}`);
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement?.getAttribute('href'));
      check(first === '#main', `${role}: ${name}: the first Tab reaches the skip link`);
      if (name === 'reports') {  // today's Queue Summary, by hour: the table (and the chart) or "nothing"
        await page.fill('#report-from', new Date().toISOString().slice(0, 10));
        await page.selectOption('#report-by', 'hour');
        await page.click('#report-run');
        await page.waitForFunction(() => !/Reading/.test(document.querySelector('#message').textContent));
        const said = await page.textContent('#message');
        check(/row\(s\)|Nothing in this range/.test(said), `${role}: reports: Queue Summary answers (${said})`);
      }
      if (shots && user === 'admin') {
        if (name === 'campaigns' && await page.isEnabled('tr[data-campaign="spring"] button[data-action="start"]'))
          await page.click('tr[data-campaign="spring"] button[data-action="start"]');
        if (name === 'lists') {
          const csv = ['Phone Number,tz,customer,plan'];
          for (let i = 1; i <= 2000; ++i)
            csv.push(`${i % 400 ? `+1212${String(5550000 + i).padStart(7, '0')}` : 'n/a'},America/Chicago,c${i},gold`);
          await page.selectOption('#list-name', 'spring');
          await page.setInputFiles('#csv-file', { name: 'spring-leads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.join('\n')) });
          await page.fill('#mapping', 'phone=Phone Number');
          await page.click('#preview');
          await page.waitForSelector('table#preview-table');
          await page.click('#upload');
          await page.waitForSelector('a#rejects-link', { timeout: 20000 });
        }
        if (name === 'dnc') {
          await page.fill('#dnc-value', '+12125550142');
          await page.click('#dnc-check');
          await page.waitForFunction(() => document.querySelector('#dnc-result')?.textContent.trim().length > 0);
        }
        await page.evaluate(() => document.activeElement?.blur());
        await page.waitForTimeout(1200);  // the agents' current interactions, the campaign's state
        await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
      }
    }
  }
  if (shots) {
    const login_page = await newPage();
    await login_page.goto(new URL('/login.html', process.argv[2]).href);
    await login_page.screenshot({ path: `${shots}/login.png` });
    const wall = await newPage({ width: 1920, height: 1080 });
    await login(wall, 'admin');
    await waitLive(wall);
    await wall.waitForTimeout(1200);
    await wall.screenshot({ path: `${shots}/overview-wall.png` });

    // A dashboard of every widget kind, shared with acme, on the Dashboards page and on
    // the wallboard account's TV.
    const api = async (method, path, body) => (await call(wall, method, path, body)).body;
    const sales = [{ type: 'queue', id: 'sales' }];
    const d = await api('POST', '/api/v1/dashboards', { name: 'Acme floor', shared: true, tenant: 'acme', template: 'Queue KPIs', objects: sales });
    const add = (body) => api('POST', `/api/v1/dashboards/${d.id}/widgets`, body);
    await add({ template: 'Service Level', objects: sales });
    await add({ template: 'Agent Login', objects: ['a1', 'a2', 'a3', 'a4'].map((id) => ({ type: 'agent', id })) });
    await add({ template: 'Agent Group Status', objects: [{ type: 'agent_group', id: 'acme' }] });
    await add({ widget: { kind: 'donut', title: 'Entered today by queue', objects: [...sales, { type: 'queue', id: 'support' }],
      statistics: [{ alias: 'Entered', metric: 'entered', interval: 'growing_reset', format: 'integer' }] } });
    await add({ template: 'Billboard', objects: sales, title: 'Waiting in sales' });
    for (let i = 0; i < 3; ++i) await driver('submit acme sales');
    await wall.goto(new URL(`/dashboards.html?dashboard=${d.id}`, process.argv[2]).href);
    await waitLive(wall);
    await wall.waitForTimeout(8000);  // the trend's samples (history_sample_s = 1 here)
    await wall.screenshot({ path: `${shots}/dashboards.png`, fullPage: true });
    const tv = await newPage({ width: 1920, height: 1080 });
    await login(tv, 'wall');
    await tv.goto(new URL(`/wallboard.html?dashboard=${d.id}`, process.argv[2]).href);
    await waitLive(tv);
    await tv.waitForTimeout(3000);
    await tv.screenshot({ path: `${shots}/wallboard.png` });
  }
});
