// Log in (a wrong password first), see who is logged in, log out; a page asked for while
// logged out sends the browser to the login page and, after the login, back to that page.
import { check, login, newPage, password, run, url } from './lib.mjs';

await run(async () => {
  const page = await newPage();
  await page.goto(`${url}/queues.html`);
  await page.waitForURL(/\/login\.html/);
  check(new URL(page.url()).searchParams.get('next') === '/queues.html', 'a page asked for logged out goes to the login');

  await page.fill('#user', 'sup');
  await page.fill('#password', 'not-the-password');
  await page.press('#password', 'Enter');
  await page.waitForFunction(() => document.querySelector('#login-error')?.textContent.trim().length > 0);
  check(page.url().includes('/login.html'), 'a wrong password stays on the login page with an error');

  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/\/queues\.html/), page.press('#password', 'Enter')]);
  check(true, 'the login goes back to the page asked for');
  const who = await page.textContent('#whoami');
  check(who.includes('sup') && who.includes('supervisor'), `#whoami names the user and role ("${who.trim()}")`);

  await Promise.all([page.waitForURL(/\/login\.html/), page.click('#logout')]);
  const after = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  check(after === 401, 'after logging out the session is gone');

  await login(page, 'admin');
  check(new URL(page.url()).pathname === '/', 'a login without next lands on the overview');
});
