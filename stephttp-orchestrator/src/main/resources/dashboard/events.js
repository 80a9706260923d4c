// #/events and #/events/<id>: stored events, and the runs each one started or resumed.
import { api, seg, ApiError } from './api.js';
import { h, replace, timeEl, jsonBlock } from './dom.js';
import { runTable, emptyState, errorState, poll, pageHeader, toast } from './components.js';

const PAGE = 50;
const REFRESH_MS = 5000;

export function mountEvents(root, ctx) {
  const state = {
    events: [], cursor: null, hasMore: false, olderLoaded: false, loaded: false, error: null, shown: '', gen: 0,
    internal: ctx.query.get('internal') !== 'false',
  };
  const internalBox = h('input', { type: 'checkbox', id: 'ev-internal', checked: state.internal });
  const listEl = h('div', { class: 'list' });
  const moreEl = h('div', { class: 'list-footer' });
  const updated = h('span', { class: 'updated muted' });
  replace(root,
    pageHeader('Events', {
      sub: 'Events sent to the orchestrator. HTTP requests that started runs are recorded as inngest/http.request events.',
      actions: [updated,
        h('label', { class: 'switch', for: 'ev-internal' }, internalBox, h('span', {}, 'Show HTTP request events')),
        h('button', { type: 'button', class: 'btn', onclick: () => { state.olderLoaded = false; poller.now(); } }, 'Refresh')],
    }),
    listEl, moreEl);
  internalBox.addEventListener('change', () => {
    state.internal = internalBox.checked;
    history.replaceState(null, '', state.internal ? '#/events' : '#/events?internal=false');
    state.olderLoaded = false;
    state.loaded = false;
    state.gen += 1;
    replace(listEl, h('p', { class: 'muted loading' }, 'Loading events…'));
    poller.now();
  });

  async function refresh() {
    if (state.olderLoaded) return undefined;
    const gen = state.gen;
    try {
      const res = await api('/events', { query: { limit: PAGE, includeInternal: state.internal }, signal: ctx.signal });
      if (gen !== state.gen) return 0; // the toggle changed meanwhile: ask again at once
      state.events = res.data || [];
      state.cursor = res.page ? res.page.cursor : null;
      state.hasMore = !!(res.page && res.page.hasMore);
      state.loaded = true;
      state.error = null;
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      if (err.name === 'AbortError') return undefined;
      state.error = err;
    }
    render();
    if (state.error) throw state.error; // poll() backs off and says why in the header
    return undefined;
  }

  function render() {
    const key = JSON.stringify([state.events, state.error && state.error.message, state.hasMore, state.olderLoaded]);
    if (key === state.shown) return;
    state.shown = key;
    if (state.error && !state.loaded) {
      replace(listEl, errorState('The events could not be loaded.', state.error, () => poller.now()));
    } else {
      replace(listEl,
        state.events.length === 0
          ? emptyState('No events yet.', state.internal ? 'Events appear when runs start or when events are sent.'
            : 'Turn on “Show HTTP request events” to see the requests that started runs.')
          : eventTable(state.events));
    }
    replace(moreEl,
      state.loaded && state.events.length ? h('span', { class: 'muted' }, `${state.events.length} event${state.events.length === 1 ? '' : 's'} shown`) : null,
      state.hasMore ? h('button', { type: 'button', class: 'btn', onclick: loadMore }, 'Load older events') : null,
      state.olderLoaded ? [h('span', { class: 'muted' }, 'Live updates are paused while older events are shown.'),
        h('button', { type: 'button', class: 'btn btn-link', onclick: () => { state.olderLoaded = false; poller.now(); } }, 'Back to latest')] : null);
  }

  async function loadMore(e) {
    const btn = e.currentTarget;
    btn.disabled = true;
    try {
      const res = await api('/events', { query: { limit: PAGE, includeInternal: state.internal, cursor: state.cursor }, signal: ctx.signal });
      state.events = state.events.concat(res.data || []);
      state.cursor = res.page ? res.page.cursor : null;
      state.hasMore = !!(res.page && res.page.hasMore);
      state.olderLoaded = true;
    } catch (err) {
      if (err.name === 'AbortError') return;
      btn.disabled = false;
      toast(`Loading older events failed: ${err.message}`, 'error');
    }
    render();
  }

  replace(listEl, h('p', { class: 'muted loading' }, 'Loading events…'));
  const poller = poll(refresh, REFRESH_MS);
  return () => poller.stop();
}

function eventTable(events) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table events' },
    h('caption', { class: 'visually-hidden' }, 'Events, newest first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'col-name' }, 'Name'),
      h('th', { scope: 'col', class: 'col-id' }, 'Event'),
      h('th', { scope: 'col', class: 'col-time' }, 'Received'),
      h('th', { scope: 'col', class: 'col-time' }, 'Event time'),
      h('th', { scope: 'col', class: 'col-key' }, 'Idempotency key'))),
    h('tbody', {}, events.map((ev) => {
      const href = `#/events/${encodeURIComponent(ev.id)}`;
      const tr = h('tr', { class: 'clickable', 'data-event-id': ev.id },
        h('td', { class: 'col-name' }, h('div', { class: 'ellipsis strong', title: ev.name }, ev.name),
          ev.name.startsWith('inngest/') ? h('span', { class: 'tag' }, 'internal') : null),
        h('td', { class: 'col-id' }, h('a', { href, class: 'mono', title: ev.id }, ev.id)),
        h('td', { class: 'col-time' }, timeEl(ev.receivedAt, { rel: true })),
        h('td', { class: 'col-time' }, Number.isFinite(ev.ts) ? timeEl(new Date(ev.ts).toISOString()) : '—'),
        h('td', { class: 'col-key' }, ev.idempotencyKey
          ? h('div', { class: 'ellipsis mono', title: ev.idempotencyKey }, ev.idempotencyKey) : h('span', { class: 'muted' }, '—')));
      tr.addEventListener('click', (e) => {
        if (e.target.closest('a, button') || window.getSelection().toString()) return;
        window.location.hash = href;
      });
      return tr;
    }))));
}

export function mountEvent(root, ctx) {
  const id = ctx.params.id;
  const crumbs = [h('a', { href: '#/events' }, 'Events'), h('span', { 'aria-hidden': 'true' }, ' / '),
    h('span', { class: 'mono', 'aria-current': 'page' }, id)];
  replace(root, h('p', { class: 'muted loading' }, 'Loading event…'));

  async function load() {
    let ev;
    try {
      ev = (await api(`/events/${seg(id)}`, { signal: ctx.signal })).data;
    } catch (err) {
      if (err.name === 'AbortError') return;
      const notFound = err instanceof ApiError && (err.code === 'event_not_found' || err.code === 'invalid_event_id');
      replace(root, pageHeader(notFound ? 'Event not found' : 'Event', { crumbs }),
        notFound ? emptyState(`There is no event with ID ${id}.`) : errorState('The event could not be loaded.', err, load));
      return;
    }
    const triggered = h('div', {}, h('p', { class: 'muted loading' }, 'Loading…'));
    const resumed = h('div', {}, h('p', { class: 'muted loading' }, 'Loading…'));
    const user = ev.user && Object.keys(ev.user).length ? ev.user : null;
    replace(root,
      pageHeader(ev.name, { crumbs, sub: h('span', { class: 'mono' }, ev.id) }),
      h('section', { class: 'card', 'aria-label': 'Summary' }, h('dl', { class: 'kv kv-grid' },
        kvItem('Name', h('span', { class: 'wrap-anywhere' }, ev.name)),
        kvItem('Received', timeEl(ev.receivedAt, { full: true, rel: true })),
        kvItem('Event time', Number.isFinite(ev.ts) ? timeEl(new Date(ev.ts).toISOString(), { full: true }) : '—'),
        kvItem('Idempotency key', ev.idempotencyKey ? h('span', { class: 'mono wrap-anywhere' }, ev.idempotencyKey) : '—'))),
      h('section', { class: 'card', 'aria-labelledby': 'ev-data-h' }, h('h2', { id: 'ev-data-h' }, 'Data'),
        jsonBlock(ev.data ?? {}, 'Event data'),
        user ? [h('h3', {}, 'User'), jsonBlock(user, 'Event user')] : null),
      h('section', { class: 'card', 'aria-labelledby': 'ev-trig-h' },
        h('h2', { id: 'ev-trig-h' }, 'Runs started by this event'), triggered),
      h('section', { class: 'card', 'aria-labelledby': 'ev-res-h' },
        h('h2', { id: 'ev-res-h' }, 'Runs resumed by this event'),
        h('p', { class: 'muted' }, 'Runs with a wait-for-event step that this event completed.'), resumed));
    relatedRuns(triggered, 'TRIGGERED', 'This event started no runs.');
    relatedRuns(resumed, 'RESUMED', 'This event resumed no waiting runs.');
  }

  async function relatedRuns(el, relation, none) {
    try {
      const res = await api(`/events/${seg(id)}/runs`, { query: { relation, limit: 100 }, signal: ctx.signal });
      const runs = res.data || [];
      replace(el, runs.length ? runTable(runs, { caption: relation === 'TRIGGERED' ? 'Runs started' : 'Runs resumed' })
        : h('p', { class: 'muted' }, none),
      res.page && res.page.hasMore ? h('p', { class: 'muted' }, 'Only the 100 most recent are shown.') : null);
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(el, errorState('These runs could not be loaded.', err, () => relatedRuns(el, relation, none)));
    }
  }

  load();
  return () => {};
}

function kvItem(label, value) {
  return h('div', { class: 'kv-item' }, h('dt', {}, label), h('dd', {}, value));
}
