// #/functions: apps (endpoint domains) and their functions (durable endpoints).
import { api, seg } from './api.js';
import { h, replace, timeEl, relative } from './dom.js';
import { emptyState, errorState, pageHeader } from './components.js';

const MAX_PAGES = 10;

/** Fetches every page of a collection, up to MAX_PAGES pages of 100. */
async function all(path, signal) {
  let items = [];
  let cursor = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const res = await api(path, { query: { limit: 100, cursor }, signal });
    items = items.concat(res.data || []);
    if (!res.page || !res.page.hasMore) return { items, complete: true };
    cursor = res.page.cursor;
  }
  return { items, complete: false };
}

export function mountFunctions(root, ctx) {
  const body = h('div', {}, h('p', { class: 'muted loading' }, 'Loading apps…'));
  replace(root,
    pageHeader('Functions', {
      sub: 'Apps are the domains of your durable endpoints; each endpoint is a function.',
      actions: [h('button', { type: 'button', class: 'btn', onclick: load }, 'Refresh')],
    }),
    body);

  async function load() {
    let apps;
    try {
      apps = await all('/apps', ctx.signal);
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(body, errorState('The apps could not be loaded.', err, load));
      return;
    }
    if (apps.items.length === 0) {
      replace(body, emptyState('No apps yet.', 'An app appears when one of its durable endpoints first reports a run.'));
      return;
    }
    const sections = apps.items.map((app) => {
      const list = h('div', {}, h('p', { class: 'muted loading' }, 'Loading functions…'));
      loadFunctions(app, list);
      const headingId = `app-${Math.random().toString(36).slice(2)}`;
      return h('section', { class: 'card app', 'aria-labelledby': headingId },
        h('div', { class: 'card-head' },
          h('h2', { id: headingId, class: 'ellipsis', title: app.id }, app.name || app.id),
          h('span', { class: 'muted' }, `${app.functionCount} function${app.functionCount === 1 ? '' : 's'}`),
          h('span', { class: 'spacer' }),
          app.lastSeenAt ? h('span', { class: 'muted' }, 'Last run ',
            h('time', { datetime: app.lastSeenAt, title: app.lastSeenAt }, relative(app.lastSeenAt))) : null,
          h('a', { class: 'btn btn-small', href: `#/runs?appId=${encodeURIComponent(app.id)}` }, 'View runs')),
        list);
    });
    replace(body, sections, apps.complete ? null : h('p', { class: 'muted' }, 'Only the first 1,000 apps are shown.'));
  }

  async function loadFunctions(app, el) {
    try {
      const fns = await all(`/apps/${seg(app.id)}/functions`, ctx.signal);
      replace(el, fns.items.length === 0 ? emptyState('No functions recorded for this app.') : functionTable(app, fns.items));
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(el, errorState('The functions could not be loaded.', err, () => loadFunctions(app, el)));
    }
  }

  load();
  return () => {};
}

function functionTable(app, fns) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table functions' },
    h('caption', { class: 'visually-hidden' }, `Functions of ${app.id}`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'col-fn' }, 'Function'),
      h('th', { scope: 'col', class: 'col-num' }, 'Retries'),
      h('th', { scope: 'col', class: 'col-time' }, 'First seen'),
      h('th', { scope: 'col', class: 'col-time' }, 'Last run'),
      h('th', { scope: 'col', class: 'col-act' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    h('tbody', {}, fns.map((fn) => {
      const retries = fn.configuration && fn.configuration.retries;
      return h('tr', { 'data-function-id': fn.id },
        h('td', { class: 'col-fn' }, h('div', { class: 'ellipsis strong mono', title: fn.name }, fn.name),
          fn.id !== fn.name ? h('div', { class: 'ellipsis sub mono', title: fn.id }, fn.id) : null),
        h('td', { class: 'col-num' }, retries ? `${retries.value}${retries.isDefault ? ' (default)' : ''}` : '—'),
        h('td', { class: 'col-time' }, timeEl(fn.createdAt)),
        h('td', { class: 'col-time' }, timeEl(fn.lastSeenAt, { rel: true })),
        h('td', { class: 'col-act' }, h('a', {
          class: 'btn btn-small',
          href: `#/runs?appId=${encodeURIComponent(app.id)}&functionId=${encodeURIComponent(fn.id)}`,
          'aria-label': `Runs of ${fn.name}`,
        }, 'Runs')));
    }))));
}
