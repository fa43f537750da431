// An operator uploads a 100,000-row CSV (with 25 bad rows) into a list: the mapping
// preview shows and is saved under a name, the import uses the saved mapping, the progress
// bar climbs to 100 % and the rejects link appears; the rejects file names each bad row's
// line. Then the list is deleted from its row.
import { check, log, login, newPage, run } from './lib.mjs';

const rows = 100000, bad = new Set();
for (let i = 1; i <= 25; ++i)
  bad.add(i * 3989);  // rows spread over the file
const lines = ['Phone Number,tz,customer,plan'];
for (let i = 1; i <= rows; ++i) {
  const phone = bad.has(i) ? 'not-a-number' : `+1212${String(5000000 + i).padStart(7, '0')}`;
  lines.push(`${phone},America/New_York,c${i},gold`);
}
const csv = Buffer.from(lines.join('\n') + '\n');

await run(async () => {
  const page = await newPage();
  await login(page, 'oper', '/lists.html');
  await page.waitForSelector('#upload-form');
  await page.selectOption('#list-name', 'spring');
  await page.setInputFiles('#csv-file', { name: 'spring.csv', mimeType: 'text/csv', buffer: csv });
  await page.fill('#mapping', 'phone=Phone Number');

  await page.click('#preview');
  await page.waitForSelector('table#preview-table');
  const preview = await page.textContent('table#preview-table');
  check(preview.includes('Phone Number') && preview.includes('phone'), 'the preview maps "Phone Number" to phone');

  // Save what the preview shows; the import then uses it by name, with nothing typed.
  await page.fill('#save-mapping-name', 'vendor');
  await page.click('#save-mapping');
  await page.waitForFunction(() => document.querySelector('#saved-mapping').value === 'vendor');
  check(await page.inputValue('#mapping') === '', 'the saved mapping is chosen and the typed one cleared');
  const saved = await page.evaluate(async () => (await fetch('/api/v1/mappings/vendor')).json());
  check(saved.mapping?.phone === 'Phone Number' && saved.changed_by === 'oper', `the mapping is saved (${saved.text})`);

  // Sample the bar while the import runs: it must climb, and end at 100.
  const seen = new Set();
  await page.click('#upload');
  const t0 = Date.now();
  for (;;) {
    const v = await page.evaluate(() => Number(document.querySelector('#import-progress')?.value ?? -1));
    seen.add(v);
    if (v >= 100)
      break;
    if (Date.now() - t0 > 90000)
      throw new Error(`the bar stopped at ${v} %`);
    await page.waitForTimeout(50);
  }
  log(`progress seen: ${[...seen].sort((a, b) => a - b).join(' ')} (${Date.now() - t0} ms)`);
  check(seen.has(100), 'the progress bar reaches 100 %');

  const link = await page.waitForSelector('a#rejects-link', { timeout: 10000 });
  const status = await page.textContent('#import-status');
  check(/100[ ,]?000/.test(status) && status.includes('25'), `the status counts the rows and the rejects ("${status.trim()}")`);
  const href = await link.getAttribute('href');
  const text = await page.evaluate(async (h) => (await fetch(h)).text(), href);
  const rejected = text.trim().split('\n').slice(1);
  check(rejected.length === 25, `the rejects file has the 25 bad rows (${rejected.length})`);
  // Line numbers count the header as line 1: data row i is line i + 1.
  check(rejected.every((l) => bad.has(Number(l.split(',')[0]) - 1)), 'each reject names its line');

  const list = await page.evaluate(async () => (await fetch('/api/v1/lists/spring')).json());
  check(list.records === rows - bad.size, `the list holds the ${rows - bad.size} good rows (${list.records})`);

  // Deleting the list, after the browser's confirmation.
  page.once('dialog', (d) => d.accept());
  await page.click('tr[data-list="spring"] button[data-action="delete"]');
  await page.waitForSelector('tr[data-list="spring"]', { state: 'detached', timeout: 10000 });
  check(true, 'the list is deleted from its row');
});
