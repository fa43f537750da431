// Contact lists: the lists with their imports; for an operator, preview and upload a CSV
// (an asynchronous import job, polled) with a saved or typed column mapping, save the
// mapping a preview shows under a name, and export; for a user of every tenant, create one.
import { api, atLeast, el, live, num, request, rows, say, start, when } from './app.js';

const session = await start();
live({});
const $ = (id) => document.getElementById(id);
const message = $('message');
const operator = atLeast(session, 'operator');
if (!operator) { $('operator-tools').remove(); $('actions-h').remove(); }
else {
  $('operator-tools').hidden = false;
  if (session.tenants.includes('*')) $('create').hidden = false;
  else $('create').remove();
}

/** Delete a list after a confirmation; refused (409) while a campaign dialing it runs. */
function deleteButton(name) {
  const b = el('button', { type: 'button', textContent: 'Delete', 'aria-label': `Delete ${name}`,
    'data-action': 'delete' });
  b.addEventListener('click', async () => {
    if (!confirm(`Delete list ${name} with its records and import history? Its dial attempts stay.`)) return;
    try {
      const r = await api('DELETE', `/api/v1/lists/${encodeURIComponent(name)}`);
      say(message, `List ${name} deleted: ${num(r.records)} records.`);
      await load();
    } catch (e) {
      say(message, e.message, true);
    }
  });
  return b;
}

const lists = rows($('lists'), 'list', (tr, l) => {
  const last = l.imports.at(-1);
  return [
    ['name', l.name],
    ['records', num(l.records), true],
    ['created', when(l.created)],
    ['imports', num(l.imports.length), true],
    ['last_import', last ? `${last.file}: ${num(last.imported)} imported, ${num(last.rejected)} rejected${last.error ? ` — ${last.error}` : ''}` : '—'],
    ...(operator ? [['actions', (c) => {
      c.className = 'actions';
      if (!c.firstChild) c.append(el('a', {
        href: `/api/v1/lists/${encodeURIComponent(l.name)}/export`, download: `${l.name}.csv`,
        textContent: 'Export', 'aria-label': `Export ${l.name} as CSV`,
      }), ' ', deleteButton(l.name));
    }]] : []),
  ];
}, 'No lists yet.');

async function load() {
  try {
    const data = await api('GET', '/api/v1/lists');
    lists.replace(data.lists);
    if (!operator) return;
    const select = $('list-name'), keep = select.value;
    select.replaceChildren(...data.lists.map((l) => el('option', { value: l.name, textContent: l.name })));
    if (keep) select.value = keep;
  } catch (e) {
    say(message, e.message, true);
  }
}
await load();

/** The saved mappings in the select, keeping the choice when it is still there. */
async function loadMappings(choose) {
  const select = $('saved-mapping');
  const keep = choose ?? select.value;
  try {
    const { mappings } = await api('GET', '/api/v1/mappings');
    select.replaceChildren(el('option', { value: '', textContent: 'None' }),
      ...mappings.map((m) => el('option', { value: m.name, textContent: `${m.name} (${m.text})` })));
    select.value = mappings.some((m) => m.name === keep) ? keep : '';
  } catch (e) {
    say(message, `Saved mappings: ${e.message}`, true);
  }
  $('delete-mapping').hidden = !select.value;
}

if (operator) {
  await loadMappings();
  const file = $('csv-file');
  const saved = $('saved-mapping');
  let shown = null;  // the mapping the last preview showed
  const query = (extra = []) => {
    const mapping = $('mapping').value.trim();
    const q = [...(saved.value ? [['mapping_name', saved.value]] : []), ...(mapping ? [['mapping', mapping]] : []), ...extra]
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    return q.length ? `?${q.join('&')}` : '';
  };
  saved.addEventListener('change', () => { $('delete-mapping').hidden = !saved.value; });

  $('delete-mapping').addEventListener('click', async () => {
    const name = saved.value;
    if (!name || !confirm(`Delete the saved mapping ${name}? Imports already made keep their records.`)) return;
    try {
      await api('DELETE', `/api/v1/mappings/${encodeURIComponent(name)}`);
      say(message, `Saved mapping ${name} deleted.`);
      await loadMappings('');
    } catch (e) {
      say(message, `Delete ${name}: ${e.message}`, true);
    }
  });

  $('save-mapping-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('save-mapping-name').value.trim();
    try {
      const m = await api('PUT', `/api/v1/mappings/${encodeURIComponent(name)}`, { mapping: shown });
      say(message, `Mapping saved as ${name}: ${m.text}.`);
      await loadMappings(name);
      $('mapping').value = '';
    } catch (e) {
      say(message, `Save mapping ${name}: ${e.message}`, true);
    }
  });
  const needFile = () => {
    if (file.files.length) return file.files[0];
    say(message, 'Choose a CSV file first.', true);
    file.focus();
    return null;
  };

  $('preview').addEventListener('click', async () => {
    const f = needFile();
    if (!f) return;
    try {
      const p = await api('POST', `/api/v1/lists/preview${query()}`, f.slice(0, 64 * 1024, 'text/csv'));
      showPreview(p);
      shown = p.mapping;
      $('save-mapping-form').hidden = !Object.keys(shown).length;
      if (saved.value && !$('save-mapping-name').value) $('save-mapping-name').value = saved.value;
      say(message, `Preview of ${f.name}: ${p.columns.length} columns.`);
    } catch (e) {
      say(message, `Preview: ${e.message}`, true);
    }
  });

  $('upload-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = needFile();
    if (!f) return;
    const list = $('list-name').value;
    const flags = [['file', f.name], ...['append', 'dedupe'].filter((k) => $(k).checked).map((k) => [k, 'true'])];
    $('upload').disabled = true;
    $('rejects-link').hidden = true;
    $('import').hidden = false;
    try {
      const res = await request('POST', `/api/v1/lists/${encodeURIComponent(list)}/imports${query(flags)}`, f);
      let job = await res.json();
      const where = res.headers.get('Location');
      showJob(job);
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, 300));
        job = await api('GET', where);
        showJob(job);
      }
      say(message, `Import into ${list} ${job.state}${job.error ? `: ${job.error}` : '.'}`, job.state !== 'done');
      await load();
    } catch (e) {
      say(message, `Upload: ${e.message}`, true);
    } finally {
      $('upload').disabled = false;
    }
  });

  $('create-form')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('new-list').value.trim();
    try {
      await api('POST', '/api/v1/lists', { name });
      say(message, `List ${name} created.`);
      $('new-list').value = '';
      await load();
    } catch (e) {
      say(message, `Create ${name}: ${e.message}`, true);
    }
  });
}

function showJob(j) {
  $('import-progress').value = j.percent;
  $('import-status').textContent = `${j.file} → ${j.list}: ${j.state}, ${num(j.rows)} of ${num(j.expected_rows)} rows read, `
    + `${num(j.imported)} imported, ${num(j.rejected)} rejected, ${num(j.duplicates)} duplicates`
    + (j.error ? `. ${j.error}` : '');
  const link = $('rejects-link');
  if (j.rejects) {
    link.href = j.rejects;
    link.download = `rejects-${j.id}.csv`;
  }
  link.hidden = !j.rejects;
}

function showPreview(p) {
  const fieldOf = new Map(Object.entries(p.mapping).map(([field, col]) => [col, field]));
  const custom = new Set(p.custom);
  const th = (text, scope) => el('th', { textContent: text, scope });
  const table = $('preview-table');
  table.tHead.replaceChildren(
    el('tr', {}, th('Column', 'row'), ...p.columns.map((c) => th(c, 'col'))),
    el('tr', {}, th('Field', 'row'), ...p.columns.map((c) => el('td', {
      textContent: fieldOf.get(c) ?? (custom.has(c) ? `custom: ${c}` : 'not imported'),
      className: fieldOf.has(c) ? 'mapped' : 'unmapped',
    }))));
  table.tBodies[0].replaceChildren(...p.rows.map((r, i) =>
    el('tr', {}, th(`Row ${i + 1}`, 'row'), ...r.map((v) => el('td', { textContent: v })))));
  $('problems').replaceChildren(...(p.problems.length ? p.problems : ['No problems found.'])
    .map((t) => el('li', { textContent: t, className: p.problems.length ? 'bad' : 'ok' })));
  $('preview-area').hidden = false;
  $('preview-h').focus();
}
