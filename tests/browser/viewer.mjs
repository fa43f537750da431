// A viewer sees campaigns without any control, and a request forged around the page is
// refused: the viewer's own (CSRF-correct) start for lack of the role, and a supervisor's
// start without the session's CSRF token.
import { cell, check, login, newPage, run, waitLive } from './lib.mjs';

await run(async () => {
  const page = await newPage();
  await login(page, 'view', '/campaigns.html');
  await waitLive(page);
  const row = 'table#campaigns tr[data-campaign="spring"]';
  await page.waitForSelector(row);
  check(await page.$$eval('button[data-action]', (b) => b.length) === 0, 'a viewer sees no campaign buttons');
  const state = await cell(page, row, 'state');

  const forged = await page.evaluate(async () => {
    const { csrf } = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/campaigns/spring/start', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
    return { status: r.status, body: await r.json() };
  });
  check(forged.status === 403 && forged.body.error.code === 'not_allowed',
    `a viewer's start is refused (${forged.status} ${forged.body.error?.message})`);

  const sup = await newPage();
  await login(sup, 'sup', '/campaigns.html');
  const noToken = await sup.evaluate(async () => {
    const r = await fetch('/api/v1/campaigns/spring/start', { method: 'POST' });
    return { status: r.status, body: await r.json() };
  });
  check(noToken.status === 403 && noToken.body.error.code === 'bad_credential',
    `a start without the CSRF token is refused (${noToken.status} ${noToken.body.error?.message})`);

  await page.waitForTimeout(1500);  // a campaign event would be here by now
  check(await cell(page, row, 'state') === state, `the campaign is still ${state}`);
  check(await page.$('#upload-form') === null || !(await page.isVisible('#upload-form')), 'no upload form on the viewer\'s pages');
});
