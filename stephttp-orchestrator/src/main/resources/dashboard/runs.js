// #/runs: the runs list with status filters, stats and live refresh.
import { api } from './api.js';
import { h, replace } from './dom.js';
import { runTable, emptyState, errorState, poll, pageHeader, waitLabel, toast } from './components.js';

const STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const PAGE = 50;
const REFRESH_MS = 4000; // runs + stats every 4 s ≈ 1,800 reads/h, well inside the default read limit

export function mountRuns(root, ctx) {
  const q = ctx.query;
  const state = {
    status: new Set(q.getAll('status').flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase())
      .filter((s) => STATUSES.includes(s))),
    appId: q.get('appId') || null,
    functionId: q.get('functionId') || null,
    runs: [],
    cursor: null,
    hasMore: false,
    olderLoaded: false,
    force: false,
    gen: 0, // bumped when the filters change, so an answer for old filters is dropped
    loaded: false,
    error: null,
    shown: '',
  };

  const updated = h('span', { class: 'updated muted' });
  const liveBox = h('input', { type: 'checkbox', id: 'runs-live', checked: true });
  const refreshBtn = h('button', { type: 'button', class: 'btn', onclick: () => { state.force = true; poller.now(); } }, 'Refresh');
  const statsEl = h('section', { class: 'stats', 'aria-label': 'Run counts' });
  const chipsEl = h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by status' });
  const filtersEl = h('div', { class: 'active-filters' });
  const listEl = h('div', { class: 'list', 'aria-live': 'off' });
  const moreEl = h('div', { class: 'list-footer' });

  replace(root,
    pageHeader('Runs', {
      sub: 'Every request a durable endpoint handled, newest first.',
      actions: [updated,
        h('label', { class: 'switch', for: 'runs-live' }, liveBox, h('span', {}, 'Live updates')),
        refreshBtn],
    }),
    statsEl,
    h('div', { class: 'toolbar' }, chipsEl, filtersEl),
    listEl,
    moreEl);

  liveBox.addEventListener('change', () => {
    if (liveBox.checked) { state.olderLoaded = false; poller.now(); }
    renderFooter();
  });

  function setQuery() {
    const p = new URLSearchParams();
    if (state.status.size) p.set('status', [...state.status].join(','));
    if (state.appId) p.set('appId', state.appId);
    if (state.functionId) p.set('functionId', state.functionId);
    const s = p.toString();
    history.replaceState(null, '', s ? `#/runs?${s}` : '#/runs');
  }

  function renderChips() {
    const all = h('button', { type: 'button', class: 'chip', 'aria-pressed': String(state.status.size === 0),
      onclick: () => { state.status.clear(); changed(); } }, 'All');
    const chips = STATUSES.map((s) => h('button', {
      type: 'button', class: `chip chip-${s.toLowerCase()}`, 'data-status': s,
      'aria-pressed': String(state.status.has(s)),
      onclick: () => { if (state.status.has(s)) state.status.delete(s); else state.status.add(s); changed(); },
    }, h('span', { class: 'dot', 'aria-hidden': 'true' }), s.charAt(0) + s.slice(1).toLowerCase()));
    replace(chipsEl, all, chips);
    const f = [];
    if (state.appId) {
      f.push(filterChip('App', state.appId, () => { state.appId = null; state.functionId = null; changed(); }));
    }
    if (state.functionId) {
      f.push(filterChip('Function', state.functionId, () => { state.functionId = null; changed(); }));
    }
    replace(filtersEl, f);
  }

  function changed() {
    setQuery();
    renderChips();
    state.loaded = false;
    state.olderLoaded = false;
    state.shown = '';
    state.force = true;
    state.gen += 1;
    replace(listEl, h('p', { class: 'muted loading' }, 'Loading runs…'));
    poller.now();
  }

  function filterQuery() {
    return {
      status: [...state.status],
      appId: state.appId,
      functionId: state.appId ? state.functionId : null,
    };
  }

  async function refresh() {
    const force = state.force;
    state.force = false;
    if (!force && (state.olderLoaded || (state.loaded && !liveBox.checked))) return undefined;
    state.olderLoaded = false;
    const gen = state.gen;
    const [runs, stats] = await Promise.allSettled([
      api('/runs', { query: { ...filterQuery(), limit: PAGE }, signal: ctx.signal }),
      api('/stats/runs', { query: { appId: state.appId, functionId: state.appId ? state.functionId : null }, signal: ctx.signal }),
    ]);
    if (ctx.signal.aborted) return undefined;
    if (gen !== state.gen) return 0; // the filters changed meanwhile: ask again at once
    if (runs.status === 'fulfilled') {
      state.error = null;
      state.runs = runs.value.data || [];
      state.cursor = runs.value.page ? runs.value.page.cursor : null;
      state.hasMore = !!(runs.value.page && runs.value.page.hasMore);
      state.loaded = true;
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } else {
      state.error = runs.reason;
    }
    if (stats.status === 'fulfilled') renderStats(stats.value.data);
    else if (!state.loaded) renderStats(null);
    renderList();
    renderFooter();
    // A failed refresh keeps the last data on screen; poll() backs off and says why.
    if (state.error) throw state.error;
    if (stats.status === 'rejected') throw stats.reason;
    return undefined;
  }

  function renderStats(stats) {
    if (!stats) { replace(statsEl); statsEl.hidden = true; return; }
    statsEl.hidden = false;
    const active = stats.active || { byStatus: {}, byWaitReason: {} };
    const win = (stats.window && stats.window.byStatus) || {};
    const waiting = Object.entries(active.byWaitReason || {}).filter(([, n]) => n > 0)
      .map(([reason, n]) => `${n} ${waitLabel(reason).toLowerCase()}`).join(', ');
    replace(statsEl,
      stat('Active now', active.total ?? 0, waiting || 'Queued or running', 'running'),
      stat('Completed', win.COMPLETED ?? 0, 'last 24 hours', 'completed'),
      stat('Failed', win.FAILED ?? 0, 'last 24 hours', 'failed'),
      stat('Cancelled', win.CANCELLED ?? 0, 'last 24 hours', 'cancelled'));
  }

  function renderList() {
    if (state.error && !state.loaded) {
      state.shown = '';
      replace(listEl, errorState('The runs could not be loaded.', state.error, () => poller.now()));
      return;
    }
    const key = JSON.stringify(state.runs);
    if (key === state.shown) return; // unchanged: keep the DOM (and focus) as it is
    state.shown = key;
    const focusedRun = document.activeElement && document.activeElement.closest
      && document.activeElement.closest('tr[data-run-id]');
    const focusId = focusedRun ? focusedRun.getAttribute('data-run-id') : null;
    const filtered = state.status.size > 0 || state.appId;
    replace(listEl,
      state.runs.length === 0
        ? emptyState(filtered ? 'No runs match these filters.' : 'No runs yet.',
          filtered ? 'Clear a filter to see more runs.'
            : 'Runs appear here when a durable endpoint handles a request that uses steps.')
        : runTable(state.runs, { caption: 'Runs, newest first' }));
    if (focusId) {
      const link = listEl.querySelector(`tr[data-run-id="${CSS.escape(focusId)}"] a`);
      if (link) link.focus();
    }
  }

  function renderFooter() {
    const parts = [];
    if (state.loaded && state.runs.length) {
      parts.push(h('span', { class: 'muted' }, `${state.runs.length} run${state.runs.length === 1 ? '' : 's'} shown`));
    }
    if (state.hasMore) {
      parts.push(h('button', { type: 'button', class: 'btn', onclick: loadMore }, 'Load older runs'));
    }
    if (state.olderLoaded) {
      parts.push(h('span', { class: 'muted' }, 'Live updates are paused while older runs are shown.'),
        h('button', { type: 'button', class: 'btn btn-link', onclick: backToLatest }, 'Back to latest'));
    } else if (!liveBox.checked) {
      parts.push(h('span', { class: 'muted' }, 'Live updates are off.'));
    }
    replace(moreEl, parts);
  }

  async function loadMore(e) {
    const btn = e.currentTarget;
    btn.disabled = true;
    btn.textContent = 'Loading…';
    try {
      const res = await api('/runs', { query: { ...filterQuery(), limit: PAGE, cursor: state.cursor }, signal: ctx.signal });
      state.runs = state.runs.concat(res.data || []);
      state.cursor = res.page ? res.page.cursor : null;
      state.hasMore = !!(res.page && res.page.hasMore);
      state.olderLoaded = true;
      state.error = null;
      renderList();
    } catch (err) {
      if (err.name === 'AbortError') return;
      toast(`Loading older runs failed: ${err.message}`, 'error');
    }
    renderFooter();
  }

  function backToLatest() {
    state.force = true;
    poller.now();
  }

  renderChips();
  replace(listEl, h('p', { class: 'muted loading' }, 'Loading runs…'));
  const poller = poll(refresh, REFRESH_MS);
  return () => poller.stop();
}

function stat(label, value, note, kind) {
  return h('div', { class: `stat stat-${kind}` },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, String(value)),
    h('div', { class: 'stat-note' }, note));
}

function filterChip(label, value, onRemove) {
  return h('span', { class: 'filter' },
    h('span', { class: 'muted' }, `${label}:`), ' ',
    h('span', { class: 'filter-value', title: value }, value),
    h('button', { type: 'button', class: 'filter-remove', 'aria-label': `Remove ${label.toLowerCase()} filter`, onclick: onRemove }, '×'));
}
