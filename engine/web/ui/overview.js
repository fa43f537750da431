// Overview (/): tenants, every queue and the running or paused campaigns, live.
import { api, campaignCells, el, live, queueTable, rows, say, start } from './app.js';

const session = await start();
const queues = queueTable(document.getElementById('queues'));
const campaigns = rows(document.getElementById('campaigns'), 'campaign', (tr, c) => campaignCells(c),
  'No campaign is running or paused.');
const active = (c) => c.state === 'running' || c.state === 'paused';
const putCampaign = (c) => (active(c) ? campaigns.put(c) : campaigns.remove(c.name));

live({
  snapshot: (s) => { queues.replace(s.queues); campaigns.replace(s.campaigns.filter(active)); },
  queue: queues.put,
  campaign: putCampaign,
});

try {
  const { tenants } = await api('GET', '/api/v1/tenants');
  document.getElementById('tenants').replaceChildren(...tenants.map((t) => el('li', {},
    el('strong', { textContent: t.name }),
    el('span', { textContent: `Queues: ${t.queues.join(', ') || 'none'}` }),
    el('span', { textContent: `Campaigns: ${t.campaigns.join(', ') || 'none'}` }))));
  if (!tenants.length) say(document.getElementById('message'), `${session.user} sees no tenant.`);
} catch (e) {
  say(document.getElementById('message'), e.message, true);
}
