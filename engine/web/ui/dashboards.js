// Dashboards (Pulse, docs/pulse.md): the user's open dashboards as tabs (kept on the server,
// GET/PUT /api/v1/pulse/tabs), the list of every dashboard the user may open, the open one's
// widgets live from its own stream (/api/v1/live?dashboard=ID, one at a time), and — for a
// supervisor or higher — a new dashboard, widgets added from templates, a widget's display
// (title, width, aliases, formats, thresholds) and deletions, as the dashboard's rights allow.
import { api, atLeast, el, live, num, say, start, when } from './app.js';
import { DashboardView } from './pulse.js';

const session = await start();
const author = atLeast(session, 'supervisor');   // pulse.widgets
const sharer = atLeast(session, 'operator');     // pulse.shared
const $ = (id) => document.getElementById(id);
const message = $('message');
const fail = (e, what = '') => say(message, `${what}${e.message}`, true);

/** Which object type a template's statistics are about. */
const TEMPLATE_TYPE = {
  'Queue KPIs': 'queue', 'Service Level': 'queue', Billboard: 'queue', 'Agent KPIs': 'agent',
  'Agent Login': 'agent', 'Agent Group Status': 'agent_group', 'Campaign Activity': 'campaign',
};

let templates = [];
const known = new Map();   // id -> dashboard summary (GET /dashboards)
let tabs = [];             // open dashboard ids, in order
let current = null;        // the open dashboard (GET /dashboards/{id})
let stream = null;
let opening = 0;           // the latest select(): an older one that answers late gives up

const view = new DashboardView($('widgets'), { decorate, problem: (text) => say(message, text, true) });

// -- objects to pick ------------------------------------------------------------------------

const suggestions = new Map();
async function objectsOf(type) {
  if (suggestions.has(type)) return suggestions.get(type);
  const load = {
    queue: async () => (await api('GET', '/api/v1/queues?limit=1000')).queues.map((q) => q.name),
    agent: async () => (await api('GET', '/api/v1/agents?limit=1000')).agents.map((a) => a.id),
    campaign: async () => (await api('GET', '/api/v1/campaigns')).campaigns.map((c) => c.name),
    tenant: async () => (await api('GET', '/api/v1/tenants')).tenants.map((t) => t.name),
  }[type];
  let names = [];
  try { names = load ? await load() : []; } catch { /* typed by hand then */ }
  suggestions.set(type, names);
  return names;
}

/** The object type select fills the input's suggestions; a template picks its usual type. */
function objectPicker(typeSel, input, list, templateSel) {
  const fill = async () => {
    const names = await objectsOf(typeSel.value);
    list.replaceChildren(...names.map((n) => el('option', { value: n })));
  };
  typeSel.addEventListener('change', fill);
  templateSel.addEventListener('change', () => {
    const t = TEMPLATE_TYPE[templateSel.value];
    if (t && t !== typeSel.value) { typeSel.value = t; fill(); }
  });
  fill();
}

const objectsFrom = (type, text) => text.split(',').map((s) => s.trim()).filter(Boolean).map((id) => ({ type, id }));

// -- tabs -----------------------------------------------------------------------------------

const nameOf = (id) => known.get(id)?.name ?? `Dashboard ${id}`;

function drawTabs() {
  $('tabs').replaceChildren(...tabs.map((id) => {
    const tab = el('button', { type: 'button', className: 'tab', textContent: nameOf(id), 'data-dashboard': String(id) });
    if (current?.id === id) tab.setAttribute('aria-current', 'true');
    tab.addEventListener('click', () => select(id));
    const close = el('button', { type: 'button', className: 'tab-close', textContent: '×', 'aria-label': `Close the tab ${nameOf(id)}`, 'data-close': String(id) });
    close.addEventListener('click', () => closeTab(id));
    return el('li', {}, tab, close);
  }));
  $('no-tabs').hidden = tabs.length > 0;
}

async function saveTabs() {
  try { await api('PUT', '/api/v1/pulse/tabs', { tabs }); } catch (e) { fail(e, 'Your tabs were not saved: '); }
}

function openTab(id) {
  if (!tabs.includes(id)) {
    tabs.push(id);
    saveTabs();
  }
  drawTabs();
}

function closeTab(id) {
  const at = tabs.indexOf(id);
  if (at < 0) return;
  tabs.splice(at, 1);
  saveTabs();
  if (current?.id === id) {
    const next = tabs[Math.min(at, tabs.length - 1)];
    if (next) select(next);
    else showNone();
  }
  drawTabs();
  ($('tabs').querySelectorAll('button.tab')[Math.min(at, tabs.length - 1)] ?? $('all-h')).focus?.();
}

// -- the open dashboard -----------------------------------------------------------------------

function setUrl(id) {
  const u = new URL(location.href);
  if (id) u.searchParams.set('dashboard', id);
  else u.searchParams.delete('dashboard');
  history.replaceState(null, '', u);
}

/** The stream of what is shown: the dashboard's statistics, or the live hub when there are none. */
function connect() {
  stream?.close();
  let down = false;
  const onState = (state) => {
    const stale = state === 'reconnecting';
    view.setStale(stale);
    $('stale-banner').hidden = !stale;
    if (stale) down = true;
    else if (state === 'live' && down) { down = false; view.reconnected(); }
  };
  stream = current?.widgets.length
    ? live({ stat: (d) => view.stat(d) }, `/api/v1/live?dashboard=${current.id}`, { onState })
    : live({}, '/api/v1/live', { onState });
}

function showNone() {
  current = null;
  view.clear();
  $('dashboard').hidden = true;
  setUrl(null);
  connect();
  drawList();
}

async function select(id) {
  const mine = ++opening;
  let d;
  try {
    d = await api('GET', `/api/v1/dashboards/${id}`);
  } catch (e) {
    if (mine !== opening) return;
    fail(e, `Dashboard ${id}: `);
    if (e.status === 404) { known.delete(id); tabs = tabs.filter((t) => t !== id); saveTabs(); drawTabs(); drawList(); }
    return;
  }
  if (mine !== opening) return;
  current = d;
  known.set(d.id, { ...known.get(d.id), ...d, widgets: d.widgets.length });
  openTab(d.id);
  setUrl(d.id);
  $('dashboard').hidden = false;
  $('dash-name').textContent = d.name;
  $('dash-meta').textContent = `${d.shared ? `shared with ${d.tenant}` : 'private'} · owner ${d.owner}`;
  $('wallboard-link').href = `/wallboard.html?dashboard=${d.id}`;
  $('wallboard-link').hidden = !d.shared;  // a wallboard account opens shared dashboards only
  $('add-widget').hidden = !(author && d.may.manage);
  $('delete-dashboard').hidden = !(author && d.may.manage);
  hideAddForm();
  view.show(d);
  $('no-widgets').hidden = d.widgets.length > 0;
  connect();
  drawTabs();
  drawList();
}

/** The edit and delete buttons of widget w, as the dashboard's rights allow (none for a viewer). */
function decorate(w, tools) {
  if (!author || !current) return;
  const title = w.widget?.title || w.template || `widget ${w.id}`;
  if (current.may.display) {
    const b = el('button', { type: 'button', textContent: 'Edit', 'aria-label': `Edit the display of ${title}`, 'data-action': 'edit' });
    b.addEventListener('click', () => editDisplay(w.id));
    tools.append(b);
  }
  if (current.may.manage) {
    const b = el('button', { type: 'button', textContent: 'Delete', 'aria-label': `Delete the widget ${title}`, 'data-action': 'delete' });
    b.addEventListener('click', () => deleteWidget(w.id, title));
    tools.append(b);
  }
}

function widgetChanged(w, removed = false) {
  const list = current.widgets;
  const at = list.findIndex((x) => x.id === w.id);
  if (removed) list.splice(at, 1);
  else if (at >= 0) list[at] = w;
  else list.push(w);
  known.set(current.id, { ...known.get(current.id), widgets: list.length });
  $('no-widgets').hidden = list.length > 0;
  drawList();
}

async function deleteWidget(id, title) {
  if (!confirm(`Delete the widget "${title}" from ${current.name}?`)) return;
  try {
    await api('DELETE', `/api/v1/dashboards/${current.id}/widgets/${id}`);
  } catch (e) {
    return fail(e, `Delete ${title}: `);
  }
  view.remove(id);
  widgetChanged({ id }, true);
  connect();  // the stream's statistics are the dashboard's widgets'
  say(message, `The widget "${title}" is deleted.`);
  $('dash-name').focus();
}

// -- adding a widget --------------------------------------------------------------------------

function hideAddForm() {
  $('add-widget-form').hidden = true;
  $('add-widget').setAttribute('aria-expanded', 'false');
}

$('add-widget').addEventListener('click', () => {
  const form = $('add-widget-form');
  form.hidden = !form.hidden;
  $('add-widget').setAttribute('aria-expanded', String(!form.hidden));
  if (!form.hidden) $('add-template').focus();
});
$('add-cancel').addEventListener('click', () => { hideAddForm(); $('add-widget').focus(); });

$('add-widget-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const objects = objectsFrom($('add-type').value, $('add-object').value);
  if (!objects.length) return say(message, 'Name at least one object.', true);
  const body = { template: $('add-template').value, objects };
  if ($('add-title').value.trim()) body.title = $('add-title').value.trim();
  const button = $('add-submit');
  button.disabled = true;
  try {
    const w = await api('POST', `/api/v1/dashboards/${current.id}/widgets`, body);
    view.add(w);
    widgetChanged(w);
    connect();
    $('add-object').value = '';
    $('add-title').value = '';
    hideAddForm();
    say(message, `Added "${w.widget?.title ?? body.template}".`);
  } catch (e) {
    fail(e, 'Add widget: ');
  } finally {
    button.disabled = false;
  }
});

// -- a widget's display ------------------------------------------------------------------------

const FORMATS = [['integer', 'Whole number'], ['number', 'Number (1 decimal)'], ['percent', 'Percent'], ['time', 'Time (h:mm:ss)'], ['agent_status', 'Agent status']];
let editing = null;

function editDisplay(id) {
  const w = current.widgets.find((x) => x.id === id);
  if (!w) return;
  editing = w;
  const doc = w.widget;
  $('edit-h').textContent = `Display of ${doc.title || w.template || `widget ${id}`}`;
  $('edit-title').value = doc.title ?? '';
  $('edit-width').value = view.widgets.get(id)?.section.dataset.span ?? '1';
  $('edit-error').textContent = '';
  $('edit-fields').replaceChildren(...doc.statistics.map((s, i) => {
    const f = (name) => `edit-s${i}-${name}`;
    const number = (name, v) => el('input', { id: f(name), type: 'number', step: 'any', value: v ?? '' });
    const format = el('select', { id: f('format') }, ...FORMATS.map(([v, t]) => el('option', { value: v, textContent: t })));
    format.value = s.format ?? 'integer';
    const lower = el('input', { id: f('lower'), type: 'checkbox', checked: !!s.thresholds?.lower_is_worse });
    return el('fieldset', { className: 'stat-fields' },
      el('legend', { textContent: `${s.alias} (${s.metric})` }),
      el('label', { htmlFor: f('alias'), textContent: 'Alias' }),
      el('input', { id: f('alias'), type: 'text', required: true, maxLength: 64, value: s.alias, autocomplete: 'off' }),
      el('label', { htmlFor: f('format'), textContent: 'Format' }), format,
      el('div', { className: 'pair' },
        el('span', {}, el('label', { htmlFor: f('warning'), textContent: 'Warning at' }), number('warning', s.thresholds?.warning)),
        el('span', {}, el('label', { htmlFor: f('alarm'), textContent: 'Alarm at' }), number('alarm', s.thresholds?.alarm))),
      el('div', { className: 'checks' }, lower, el('label', { htmlFor: f('lower'), textContent: 'Lower is worse (alarm at or below)' })));
  }));
  $('edit-dialog').showModal();
  $('edit-title').focus();
}

function closeEdit() {
  $('edit-dialog').close();
  const id = editing?.id;
  editing = null;
  document.querySelector(`section.widget[data-widget="${id}"] button[data-action="edit"]`)?.focus();
}
$('edit-cancel').addEventListener('click', closeEdit);

$('edit-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!editing) return;
  const w = editing;
  const doc = structuredClone(w.widget);
  const title = $('edit-title').value.trim();
  if (title) doc.title = title;
  else delete doc.title;
  const width = Number($('edit-width').value);
  if (String(width) !== view.widgets.get(w.id)?.section.dataset.span || doc.size) doc.size = { ...(doc.size ?? {}), w: width };
  for (const [i, s] of doc.statistics.entries()) {
    const v = (name) => document.getElementById(`edit-s${i}-${name}`);
    s.alias = v('alias').value.trim();
    s.format = v('format').value;
    const t = {};
    for (const k of ['warning', 'alarm']) if (v(k).value.trim() !== '') t[k] = Number(v(k).value);
    if (v('lower').checked) t.lower_is_worse = true;
    if (t.warning != null || t.alarm != null) s.thresholds = t;
    else delete s.thresholds;
  }
  const button = $('edit-save');
  button.disabled = true;
  try {
    const saved = await api('PUT', `/api/v1/dashboards/${current.id}/widgets/${w.id}`, { widget: doc });
    view.replace(saved);
    widgetChanged(saved);
    editing = saved;
    closeEdit();
    say(message, `The display of "${saved.widget.title ?? saved.template}" is saved.`);
  } catch (e) {
    $('edit-error').textContent = e.message;
  } finally {
    button.disabled = false;
  }
});

// -- the list of dashboards --------------------------------------------------------------------

function drawList() {
  const rowsOf = [...known.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id).map((d) => {
    const openB = el('button', { type: 'button', className: 'link', textContent: d.name, 'data-open': String(d.id) });
    openB.addEventListener('click', () => select(d.id).then(() => $('dash-name').focus()));
    if (current?.id === d.id) openB.setAttribute('aria-current', 'true');
    const actions = el('td', { className: 'actions' });
    if (author && d.may?.manage) {
      const del = el('button', { type: 'button', textContent: 'Delete', 'aria-label': `Delete the dashboard ${d.name}`, 'data-action': 'delete-dashboard' });
      del.addEventListener('click', () => deleteDashboard(d.id));
      actions.append(del);
    }
    const tr = el('tr', { 'data-id': String(d.id) },
      el('th', { scope: 'row' }, openB),
      el('td', { textContent: d.owner }),
      el('td', { textContent: d.shared ? d.tenant : 'private' }),
      el('td', { className: 'num', textContent: num(d.widgets ?? 0) }),
      el('td', { textContent: when(d.changed) }),
      actions);
    return tr;
  });
  $('dashboards').tBodies[0].replaceChildren(...rowsOf);
  let note = $('dashboards-none');
  if (!note) $('dashboards').after(note = el('p', { id: 'dashboards-none', className: 'empty', textContent: 'No dashboard yet.' }));
  note.hidden = rowsOf.length > 0;
}

async function deleteDashboard(id) {
  const name = nameOf(id);
  if (!confirm(`Delete the dashboard "${name}" and its widgets?`)) return;
  try {
    await api('DELETE', `/api/v1/dashboards/${id}`);
  } catch (e) {
    return fail(e, `Delete ${name}: `);
  }
  known.delete(id);
  if (tabs.includes(id)) closeTab(id);
  if (current?.id === id) showNone();
  drawList();
  say(message, `The dashboard "${name}" is deleted.`);
}
$('delete-dashboard').addEventListener('click', () => current && deleteDashboard(current.id));

// -- a new dashboard ---------------------------------------------------------------------------

async function setUpCreate() {
  $('create').hidden = false;
  for (const sel of [$('new-template'), $('add-template')])
    sel.append(...templates.map((t) => el('option', { value: t.name, textContent: `${t.title} (${t.widget?.kind ?? '?'})` })));
  objectPicker($('new-type'), $('new-object'), $('new-object-list'), $('new-template'));
  objectPicker($('add-type'), $('add-object'), $('add-object-list'), $('add-template'));
  if (sharer) {
    $('share-fields').hidden = false;
    const names = session.tenants.includes('*') ? await objectsOf('tenant') : session.tenants;
    $('new-tenant').replaceChildren(el('option', { value: '', textContent: names.length === 1 ? names[0] : 'Your own (private)' }),
      ...(names.length === 1 ? [] : names.map((n) => el('option', { value: n, textContent: n }))));
  }
}

$('new-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = { name: $('new-name').value.trim() };
  const template = $('new-template').value;
  if (template) {
    const objects = objectsFrom($('new-type').value, $('new-object').value);
    if (!objects.length) return say(message, 'Name the objects of the first widget, or choose no template.', true);
    body.template = template;
    body.objects = objects;
    if ($('new-title').value.trim()) body.title = $('new-title').value.trim();
  }
  if (sharer) {
    if ($('new-shared').checked) body.shared = true;
    if ($('new-tenant').value) body.tenant = $('new-tenant').value;
  }
  const button = $('new-submit');
  button.disabled = true;
  try {
    const d = await api('POST', '/api/v1/dashboards', body);
    known.set(d.id, { ...d, widgets: d.widgets.length });
    $('new-form').reset();
    say(message, `The dashboard "${d.name}" is created.`);
    await select(d.id);
    $('dash-name').focus();
  } catch (e) {
    fail(e, 'New dashboard: ');
  } finally {
    button.disabled = false;
  }
});

// -- start ---------------------------------------------------------------------------------------

try {
  const [list, saved, tpl] = await Promise.all([
    api('GET', '/api/v1/dashboards'),
    api('GET', '/api/v1/pulse/tabs').catch(() => ({ tabs: [] })),
    author ? api('GET', '/api/v1/templates') : { templates: [] },
  ]);
  for (const d of list.dashboards) known.set(d.id, d);
  templates = tpl.templates;
  tabs = (saved.tabs ?? []).filter((id) => known.has(id));
  if (tabs.length !== (saved.tabs ?? []).length) saveTabs();  // those gone or no longer shared
} catch (e) {
  fail(e);
}
if (author) await setUpCreate();
drawTabs();
drawList();
const asked = Number(new URLSearchParams(location.search).get('dashboard'));
if (asked > 0) await select(asked);
else if (tabs.length) await select(tabs[0]);
else showNone();
