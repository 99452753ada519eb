'use strict';

// The hub's dashboard: reads GET /api/dashboard/summary every second and long-polls GET /api/dashboard/events with the
// global key, which stays in this tab's sessionStorage. Everything that comes from publishers is shown as text.
(() => {
  const keyStorage = 'evolutionhub.apikey';
  const chartSeconds = 120;
  const keptEvents = 200;

  const $ = (id) => document.getElementById(id);
  let session = 0;
  let rates = [];
  let events = [];
  let lastAccepted = null;

  class KeyRefused extends Error {}

  async function api(path) {
    const response = await fetch(path, { headers: { apikey: sessionStorage.getItem(keyStorage) ?? '' }, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      const problem = await response.json().catch(() => ({}));
      throw new KeyRefused(problem.detail ?? `HTTP ${response.status}`);
    }
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    return response.json();
  }

  const refused = (error) => `The key was refused: ${error.message}`;

  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function showLogin(message) {
    session++;
    sessionStorage.removeItem(keyStorage);
    $('board').hidden = true;
    $('forget').hidden = true;
    $('login').hidden = false;
    $('key-error').hidden = !message;
    $('key-error').textContent = message ?? '';
    $('key').value = '';
    $('key').focus();
  }

  async function open() {
    const current = ++session;
    try {
      const summary = await api('/api/dashboard/summary');
      if (current !== session) {
        return;
      }
      $('login').hidden = true;
      $('board').hidden = false;
      $('forget').hidden = false;
      rates = [];
      events = [];
      lastAccepted = null;
      showSummary(summary);
      summaryLoop(current);
      eventsLoop(current);
    } catch (error) {
      showLogin(error instanceof KeyRefused ? refused(error) : `The hub does not answer: ${error.message}`);
    }
  }

  async function summaryLoop(current) {
    while (current === session) {
      await delay(1000);
      try {
        const summary = await api('/api/dashboard/summary');
        if (current === session) {
          showSummary(summary);
        }
        $('offline').hidden = true;
      } catch (error) {
        if (error instanceof KeyRefused) {
          showLogin(refused(error));
          return;
        }
        $('offline').hidden = false;
      }
    }
  }

  async function eventsLoop(current) {
    let after = -1;
    while (current === session) {
      try {
        const page = await api(`/api/dashboard/events?after=${after}`);
        if (current !== session) {
          return;
        }
        after = page.last;
        addEvents(page.events);
      } catch (error) {
        if (error instanceof KeyRefused) {
          showLogin(refused(error));
          return;
        }
        await delay(2000);
      }
    }
  }

  function showSummary(summary) {
    const node = summary.node;
    $('node-version').textContent = `${node.version}`;
    $('node-mode').hidden = false;
    $('node-mode').textContent = node.mode;
    const redis = $('redis-state');
    redis.hidden = !summary.redis;
    if (summary.redis) {
      redis.textContent = summary.redis.connected ? 'Redis connected' : 'Redis unreachable';
      redis.className = `badge ${summary.redis.connected ? 'good' : 'bad'}`;
      $('node-redis').textContent = `${summary.redis.endpoints} (${summary.redis.connected ? 'connected' : 'unreachable'})`;
    } else {
      $('node-redis').textContent = 'none (single node)';
    }
    $('node-started').textContent = new Date(node.startedAt).toLocaleString();
    $('node-global').textContent = node.globalEvents ? 'on' : 'off';

    const signalR = node.connections.signalr ?? 0;
    const socketIo = node.connections.socketio ?? 0;
    $('connections-total').textContent = `${signalR + socketIo}`;
    $('connections-split').textContent = `SignalR ${signalR} · Socket.IO ${socketIo}`;

    const now = Date.now();
    if (lastAccepted !== null && summary.eventsAccepted >= lastAccepted.count) {
      const seconds = Math.max((now - lastAccepted.at) / 1000, 0.001);
      rates.push({ at: now, rate: (summary.eventsAccepted - lastAccepted.count) / seconds });
      rates = rates.filter((point) => now - point.at <= chartSeconds * 1000);
    }
    lastAccepted = { at: now, count: summary.eventsAccepted };
    $('events-total').textContent = `${summary.eventsAccepted}`;
    const latest = rates.length ? rates[rates.length - 1].rate : 0;
    $('events-rate').textContent = `${latest.toFixed(1)} per second now`;
    drawChart(now);
    showInstances(summary.instances);
  }

  function showInstances(instances) {
    const body = $('instances').tBodies[0];
    body.replaceChildren();
    const names = $('instance-names');
    names.replaceChildren();
    if (instances === null) {
      $('instances-empty').hidden = false;
      $('instances-empty').textContent = 'Redis is unreachable: the farm\'s instances cannot be read.';
      return;
    }
    $('instances-empty').hidden = instances.length > 0;
    $('instances-empty').textContent = 'No instance is registered or connected.';
    for (const instance of instances) {
      const row = body.insertRow();
      const link = document.createElement('a');
      link.textContent = instance.name;
      link.title = 'show only this instance\'s events';
      link.addEventListener('click', () => {
        $('filter').value = instance.name;
        showEvents();
      });
      row.insertCell().append(link);
      cell(row, `${instance.connections}`, 'number');
      cell(row, `${instance.thisNode.signalr ?? 0}`, 'number');
      cell(row, `${instance.thisNode.socketio ?? 0}`, 'number');
      const option = document.createElement('option');
      option.value = instance.name;
      names.append(option);
    }
  }

  function addEvents(page) {
    if (!page.length) {
      return;
    }
    events = events.concat(page).slice(-keptEvents);
    showEvents();
  }

  function showEvents() {
    const filter = $('filter').value.trim();
    const body = $('events').tBodies[0];
    body.replaceChildren();
    const shown = events.filter((entry) => !filter || entry.instance === filter).reverse();
    for (const entry of shown) {
      const row = body.insertRow();
      row.dataset.instance = entry.instance;
      cell(row, new Date(entry.at).toLocaleTimeString());
      cell(row, entry.instance);
      cell(row, entry.event);
      cell(row, entry.sender ?? '');
      const data = cell(row, entry.data, 'data');
      data.title = entry.data;
    }
    $('events-empty').hidden = shown.length > 0;
    $('events-empty').textContent = filter ? `No event of ${filter} yet.` : 'No event yet.';
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    return td;
  }

  function drawChart(now) {
    const canvas = $('rate-chart');
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const context = canvas.getContext('2d');
    context.scale(ratio, ratio);
    const style = getComputedStyle(document.documentElement);
    const left = 44;
    const bottom = height - 20;
    const top = 8;
    const right = width - 8;
    const max = niceCeiling(Math.max(1, ...rates.map((point) => point.rate)));
    const x = (at) => right - ((now - at) / (chartSeconds * 1000)) * (right - left);
    const y = (rate) => bottom - (rate / max) * (bottom - top);

    context.clearRect(0, 0, width, height);
    context.font = '11px system-ui, sans-serif';
    context.fillStyle = style.getPropertyValue('--muted');
    context.strokeStyle = style.getPropertyValue('--line');
    context.lineWidth = 1;
    for (const fraction of [0, 0.5, 1]) {
      const level = max * fraction;
      context.beginPath();
      context.moveTo(left, y(level));
      context.lineTo(right, y(level));
      context.stroke();
      context.textAlign = 'right';
      context.fillText(formatRate(level), left - 6, y(level) + 4);
    }
    context.textAlign = 'left';
    context.fillText(`${chartSeconds} s ago`, left, height - 4);
    context.textAlign = 'right';
    context.fillText('now', right, height - 4);

    if (rates.length < 2) {
      return;
    }
    context.beginPath();
    rates.forEach((point, i) => (i === 0 ? context.moveTo(x(point.at), y(point.rate)) : context.lineTo(x(point.at), y(point.rate))));
    context.strokeStyle = style.getPropertyValue('--accent');
    context.lineWidth = 2;
    context.stroke();
    context.lineTo(x(rates[rates.length - 1].at), bottom);
    context.lineTo(x(rates[0].at), bottom);
    context.closePath();
    context.fillStyle = style.getPropertyValue('--accent-fill');
    context.fill();
  }

  function niceCeiling(value) {
    const magnitude = 10 ** Math.floor(Math.log10(value));
    return [1, 2, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value);
  }

  const formatRate = (rate) => (rate >= 10 || rate === 0 ? rate.toFixed(0) : rate.toFixed(1));

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(keyStorage, $('key').value);
    open();
  });
  $('forget').addEventListener('click', () => showLogin());
  $('filter').addEventListener('input', showEvents);

  if (sessionStorage.getItem(keyStorage)) {
    open();
  } else {
    showLogin();
  }
})();
