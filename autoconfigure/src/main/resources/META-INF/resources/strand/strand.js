// Strand browser client: applies server-pushed async assigns (SSE) and posts page events.
// Served at /strand/strand.js, loaded with <script type="module">. Morphs with idiomorph (0BSD), vendored
// beside it.

import { Idiomorph } from "./idiomorph.esm.js";

const meta = (name, doc = document) => doc.querySelector(`meta[name="${name}"]`);
const root = document.documentElement;
const streamUrl = meta("strand-stream")?.content || "/strand/stream";

export let view = null; // this tab's view id; a remount gives it a new one
let csrf = null;
let lastId = null;
let stopped = false;    // view closed or expired: never reconnect
let leaving = false;    // page is being hidden/unloaded
let left = false;       // the page was left, and its view closed: coming back (the back/forward cache) remounts
let waiters = [];       // posts waiting for the event that carries their changes: { id, resolve }
let transport = null;   // how this tab gets its events: its own stream, or one that its browser's tabs share
const running = new Set(); // tasks that have sent chunks or progress but no outcome yet, or that a reset named

// Reads the view token, last event id and CSRF token that <strand:head/> rendered.
function readMetas(doc = document) {
  view = meta("strand-view", doc)?.content || null;
  const id = parseInt(meta("strand-event", doc)?.content, 10);
  lastId = Number.isSafeInteger(id) ? id : null;
  const token = meta("strand-csrf", doc);
  csrf = token ? { header: token.dataset.header || "X-CSRF-TOKEN", token: token.content } : null;
}
readMetas();

const emit = (name, detail) =>
  document.dispatchEvent(new CustomEvent("strand:" + name, { detail }));

// Server-rendered HTML is trusted (escaped by Thymeleaf); parse it inertly.
function fragment(html) {
  const t = document.createElement("template");
  t.innerHTML = html ?? "";
  return t.content;
}

const sending = new WeakMap(); // forms whose page event is on its way: the state of each field as it was sent

const isToggle = (el) => el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio");

// A field's state as the user has it, or as the server drew it (drawn): a text field's text, whether a checkbox or
// radio is checked, which options of a select are chosen; null for anything else (a file field, a button).
function fieldState(el, drawn = false) {
  if (el instanceof HTMLSelectElement) {
    const options = [...el.options];
    const first = drawn && !el.multiple && el.size <= 1 && !options.some((o) => o.defaultSelected);
    return options.map((o, i) => ((drawn ? o.defaultSelected || (first && i === 0) : o.selected) ? "+" : "-") + o.value)
      .join("\n");
  }
  if (isToggle(el)) return String(drawn ? el.defaultChecked : el.checked);
  if ((el instanceof HTMLInputElement && el.type !== "file") || el instanceof HTMLTextAreaElement) {
    return drawn ? el.defaultValue : el.value;
  }
  return null;
}

function putFieldState(el, state) {
  if (el instanceof HTMLSelectElement) {
    const chosen = new Set(state.split("\n").filter((o) => o[0] === "+").map((o) => o.slice(1)));
    for (const o of el.options) o.selected = chosen.has(o.value);
  } else if (isToggle(el)) {
    el.checked = state === "true";
  } else {
    el.value = state;
  }
}

// Whether a morph leaves a field as the user has it. While its form is being sent, the field takes the server's
// drawing unless the user changed it since: the handler's changes reach it (a form it clears comes back empty),
// and what the user typed after sending stays. Otherwise the field being used keeps its state, and a field the
// user changed keeps it while the server draws the same default for it as before.
function keepsUsers(old, fresh) {
  const now = fieldState(old);
  if (now === null) return false;
  const sent = sending.get(old.form)?.get(old);
  if (sent !== undefined) return now !== sent;
  if (old === document.activeElement) return true;
  const drawn = fieldState(old, true);
  return now !== drawn && fieldState(fresh, true) === drawn;
}

// A control kept busy while its page event is on its way stays so through a morph, as LiveView holds back an
// element awaiting its reply, unless the server draws it busy or disabled itself: then the server's state stands.
function staysBusy(old, fresh) {
  for (const [mark, attribute, value] of [["data-strand-busy", "aria-busy", "true"], ["data-strand-disabled", "disabled", ""]]) {
    if (old.hasAttribute(mark) && !fresh.hasAttribute(attribute)) {
      fresh.setAttribute(attribute, value);
      fresh.setAttribute(mark, "");
    }
  }
}

// Morphs el into the HTML: children with the same id keep their nodes, what the user did in a field stays (above),
// with focus and selection, an open <details> or <dialog> stays open, a busy control stays busy, and everything
// else takes the server's markup.
function morph(el, html) {
  const kept = new Map(); // field -> the attribute whose updates it ignores
  Idiomorph.morph(el, html ?? "", {
    morphStyle: "outerHTML",
    restoreFocus: true,
    callbacks: {
      beforeNodeMorphed(old, fresh) {
        if (!(old instanceof Element && fresh instanceof Element)) return true;
        staysBusy(old, fresh);
        if (keepsUsers(old, fresh)) {
          kept.set(old, isToggle(old) ? "checked" : old instanceof HTMLSelectElement ? "selected" : "value");
        }
        return true;
      },
      beforeAttributeUpdated(name, node) {
        if (name === "open") return node.tagName !== "DETAILS" && node.tagName !== "DIALOG";
        return kept.get(name === "selected" ? node.closest("select") : node) !== name;
      },
    },
  });
}

function applyPatch({ target, op, html } = {}) {
  const el = target ? document.getElementById(target) : null;
  if (!el) {
    console.debug("strand: patch target not found:", target);
    return;
  }
  switch (op) {
    case "replace": el.replaceWith(fragment(html)); break;
    case "morph": morph(el, html); break;
    case "append": el.append(fragment(html)); break;
    case "prepend": el.prepend(fragment(html)); break;
    case "remove": el.remove(); break;
    default: console.warn("strand: unknown patch op:", op);
  }
}

const byTask = (selector, attr, task) =>
  document.querySelectorAll(`${selector}[${attr}="${CSS.escape(String(task))}"]`);

// Shows a flash message, replacing the one of its kind; a null message removes that kind.
export function flash(kind, message) {
  kind = String(kind ?? "info");
  if (message == null) {
    for (const box of document.querySelectorAll("[data-strand-flash] > .strand-flash")) {
      if (box.dataset.kind === kind) box.remove();
    }
    emit("flash", { kind, message: null });
    return;
  }
  for (const region of document.querySelectorAll("[data-strand-flash]")) {
    const box = document.createElement("div");
    box.className = "strand-flash strand-flash-" + kind.replace(/[^\w-]/g, "-");
    box.dataset.kind = kind;
    box.setAttribute("role", "status");
    const text = document.createElement("span");
    text.className = "strand-flash-text";
    text.textContent = message ?? "";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "strand-flash-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    box.append(text, " ", close);

    const same = [...region.children].filter((c) => c.dataset?.kind === kind);
    same.forEach((c, i) => (i ? c.remove() : c.replaceWith(box)));
    if (!same.length) region.append(box);
  }
  emit("flash", { kind, message });
}

const handlers = {
  patch: applyPatch,

  chunk(d) {
    running.add(d.task);
    for (const el of byTask("", "data-strand-stream", d.task)) {
      if (d.html != null) {
        el.append(fragment(d.html));
      } else {
        const div = document.createElement("div");
        div.className = "strand-chunk";
        div.textContent = d.text ?? JSON.stringify(d.json) ?? "";
        el.append(div);
      }
    }
    emit("chunk", { task: d.task, text: d.text, json: d.json });
  },

  progress(d) {
    running.add(d.task);
    for (const el of byTask("progress", "data-strand-progress", d.task)) {
      if (d.total > 0) {
        el.max = d.total;
        el.value = d.done ?? 0;
        el.setAttribute("aria-valuetext", `${d.done ?? 0} of ${d.total}`);
      } else {
        el.removeAttribute("value"); // indeterminate
        el.removeAttribute("aria-valuetext");
      }
    }
    emit("progress", d);
  },

  outcome(d) {
    running.delete(d.task);
    emit("outcome", d);
  },

  flash: (d) => flash(d.kind, d.message),

  navigate: (d) => go(d.url),

  reset(d) {
    for (const p of d.patches ?? []) applyPatch(p);
    if (Array.isArray(d.running)) { // the outcomes it stands for are not sent: the view says which tasks still run
      running.clear();
      for (const task of d.running) running.add(task);
    }
    emit("reset", d);
  },

  close(d) {
    if (d.reason === "session-ended") signedOut();
    else remount(d.reason);
  },
};

function shutdown(detail) {
  stopped = true;
  settleWaiters(true);
  transport?.close();
  root.classList.remove("strand-disconnected");
  root.classList.add("strand-expired");
  emit("closed", detail);
}

// Applies one event of this tab; `id` is its number ("" for a stream-level close).
function receive(kind, id, raw) {
  if (stopped || left) return;
  const n = id === "" ? NaN : Number(id);
  if (Number.isSafeInteger(n)) {
    // Drop replays after reconnects; a close is idempotent so always honour it.
    if (lastId !== null && n <= lastId) {
      if (kind !== "close") return;
    } else {
      lastId = n;
    }
  }
  let data;
  try {
    data = JSON.parse(raw);
  } catch {
    console.warn("strand: malformed JSON in", kind, "event");
    return;
  }
  try {
    handlers[kind](data ?? {});
  } catch (err) {
    console.error("strand: failed to apply", kind, "event", err);
  }
  settleWaiters();
}

// Resolves the posts whose changes (up to the event id their response named) have been applied.
function settleWaiters(all = false) {
  if (!waiters.length) return;
  const due = waiters.filter((w) => all || (lastId !== null && w.id <= lastId));
  waiters = waiters.filter((w) => !due.includes(w));
  for (const w of due) w.resolve();
}

// Waits until the event with this id has been applied, or a while at most (the stream may be down).
function applied(id) {
  if (stopped || (lastId !== null && id <= lastId)) return Promise.resolve();
  return new Promise((resolve) => {
    waiters.push({ id, resolve });
    setTimeout(resolve, 10000);
  });
}

// ---- Getting the events ----

// Jittered exponential backoff: 0.125-0.375 s after the first failure, doubling up to 5-15 s, so that
// browsers dropped together (a server restart) do not come back in lockstep.
const backoff = (failures) => Math.min(10000, 250 * 2 ** failures) * (0.5 + Math.random());

function connected(yes) {
  root.classList.toggle("strand-disconnected", !yes);
  if (yes) emit("connected", { view });
}

// A stream of this tab's own: used where a browser lacks BroadcastChannel or Web Locks.
function ownStream() {
  let source = null;
  let failures = 0;
  let timer = 0;

  function open() {
    clearTimeout(timer);
    if (stopped) return;
    const url = streamUrl + "?view=" + encodeURIComponent(view) + (lastId === null ? "" : "&lastEventId=" + lastId);
    const es = (source = new EventSource(url));
    es.addEventListener("open", () => {
      if (es !== source) return;
      failures = 0;
      connected(true);
    });
    es.addEventListener("error", () => {
      if (es !== source || stopped || leaving) return;
      es.close(); // never the browser's own fixed retry: every tab would retry at the same instants
      connected(false);
      status();
    });
    for (const kind of Object.keys(handlers)) {
      es.addEventListener(kind, (e) => { if (es === source) receive(kind, e.lastEventId, e.data); });
    }
  }

  async function status() {
    let code = 0;
    let why = "";
    try {
      const res = await fetch(streamUrl + "/status?view=" + encodeURIComponent(view), { credentials: "same-origin", cache: "no-store", signal: AbortSignal.timeout(10000) });
      code = res.status;
      why = code === 410 ? (await res.text()).trim() : "";
    } catch {
      // unreachable: retry below
    }
    if (stopped) return;
    if (code === 404 || code === 410) {
      handlers.close({ reason: why || "not-found" }); // 410 says why its view closed
      return;
    }
    timer = setTimeout(open, backoff(failures++));
  }

  open();
  return {
    close() { clearTimeout(timer); source?.close(); },
    resume() { if (!stopped && source?.readyState === EventSource.CLOSED) open(); },
  };
}

// One stream for all the Strand tabs of this browser and origin, held by the tab that holds a Web Lock and
// shared over a BroadcastChannel; HTTP/1.1 browsers open at most six connections per host, and a stream
// per tab would leave a seventh tab, and every tab's page events, waiting. When that tab goes, another
// takes the lock and the stream, and every tab tells it where it stands.
function sharedStream() {
  const name = "strand:" + new URL(streamUrl, location.href).pathname;
  const channel = new BroadcastChannel(name);
  let leader = null;
  let release = null;
  let closed = false;
  const post = (message) => { if (!closed) channel.postMessage(message); };

  channel.onmessage = ({ data: m }) => {
    switch (m?.type) {
      case "event": if (m.view === view) receive(m.kind, m.id, m.data); break;
      case "connected": connected(m.yes); break;
      case "hello": announce(); break;
      case "join": leader?.join(m.view, m.lastId); break;
      case "leave": leader?.leave(m.view); break;
    }
  };
  const announce = () => post({ type: "join", view, lastId });

  function lead(done) {
    release = done;
    if (closed) {
      done();
      return;
    }
    const members = new Map([[view, lastId]]);
    let source = null;
    let failures = 0;
    let timer = 0;
    const open = () => {
      clearTimeout(timer);
      source?.close();
      if (!members.size) return;
      const tabs = [...members].map(([v, id]) => v + ":" + (id ?? 0)).join(",");
      const es = (source = new EventSource(streamUrl + "?tabs=" + tabs));
      es.addEventListener("open", () => {
        if (es !== source) return;
        failures = 0;
        connected(true);
        post({ type: "connected", yes: true });
      });
      es.addEventListener("error", () => {
        if (es !== source || leaving) return;
        es.close();
        connected(false);
        post({ type: "connected", yes: false });
        timer = setTimeout(open, backoff(failures++));
      });
      for (const kind of Object.keys(handlers)) {
        es.addEventListener(kind, (e) => {
          if (es !== source) return;
          const at = e.lastEventId.lastIndexOf(":");
          const tab = e.lastEventId.slice(0, at);
          const id = e.lastEventId.slice(at + 1);
          if (id !== "" && members.has(tab)) members.set(tab, Number(id));
          if (kind === "close") {
            members.delete(tab);
            if (tab === view && sessionEnded(e.data)) {
              // Every tab on this stream is of the session that ended, and this tab's close closes the stream
              // before their own closes could reach them: tell them now, or the next stream finds their views
              // unknown to the session that replaced it, and they remount instead of stopping.
              for (const other of members.keys()) post({ type: "event", view: other, kind, id: "", data: e.data });
            }
          }
          if (tab === view) receive(kind, id, e.data);
          else post({ type: "event", view: tab, kind, id, data: e.data });
        });
      }
    };
    const soon = () => { clearTimeout(timer); timer = setTimeout(open, 30); };
    // A tab that ends without pagehide (it crashed, or the browser discarded it) never says leave: the stream
    // would keep its view connected, and its tasks running, for ever. Every tab answers a roll call; one that
    // missed the last is dropped, and its view closes after the server's grace period, as with a stream of its own.
    const answered = new Set();
    const rollCall = setInterval(() => {
      let gone = false;
      for (const tab of members.keys()) {
        if (tab !== view && !answered.has(tab)) gone = members.delete(tab);
      }
      answered.clear();
      if (gone) soon();
      post({ type: "hello" });
    }, 10000);
    leader = {
      join(tab, id) {
        answered.add(tab);
        const known = members.get(tab);
        if (!members.has(tab) || (id ?? 0) > (known ?? 0)) members.set(tab, id);
        if (known === undefined) soon();
      },
      leave(tab) { if (members.delete(tab)) soon(); },
      close() { clearTimeout(timer); clearInterval(rollCall); source?.close(); },
    };
    post({ type: "hello" }); // the other tabs join, each from where it stands
    soon(); // once they have
  }

  announce(); // to the tab that holds the stream now, if any
  const waiting = new AbortController();
  const shared = {
    close() {
      post({ type: "leave", view });
      closed = true;
      waiting.abort(); // if the lock was not ours yet, it never will be
      leader?.close();
      leader = null;
      release?.();
      channel.close();
    },
    resume() { transport = sharedStream(); },
  };
  navigator.locks.request(name, { signal: waiting.signal }, () => new Promise(lead)).catch(() => {
    if (closed) return; // our own abort
    // The browser refused the lock (a sandboxed frame, an opaque origin): this tab streams on its own.
    shared.close();
    transport = ownStream();
  });
  return shared;
}

const sessionEnded = (raw) => {
  try {
    return JSON.parse(raw)?.reason === "session-ended";
  } catch {
    return false;
  }
};

// ---- When the view is gone: remount ----

// The session ended (invalidated, expired, logged out): the page stops, and says so.
function signedOut() {
  shutdown({ reason: "session-ended" });
  banner("Your session has ended. Reload the page to continue.");
}

// The view is gone (the server restarted or shut down, the grace period passed): fetch the page again,
// which opens a new view, and swap it in, keeping the scroll position and what the user typed; as LiveView
// rejoins. Attempts back off with jitter; after a few failures the page says so and offers a reload.
async function remount(reason) {
  if (stopped) return;
  const interrupted = [...new Set([...running,
    ...[...document.querySelectorAll("[data-strand-async][aria-busy=true]")].map((el) => el.dataset.strandAsync)])];
  shutdown({ reason, remount: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
    let res;
    try {
      // never wait on one attempt for ever: a connection that a proxy or a dying server left open answers nothing
      res = await fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" },
        signal: AbortSignal.timeout(10000) });
    } catch {
      continue; // the server is not back yet
    }
    if (res.redirected && new URL(res.url).pathname !== location.pathname) {
      location.assign(res.url); // somewhere else now (a login page): go there
      return;
    }
    if (!res.ok) continue;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    if (!meta("strand-view", doc)) continue;
    swapIn(doc);
    if (interrupted.length) {
      flash("info", meta("strand-interrupted")?.content || "The page reconnected; a task that was running has stopped.");
    }
    emit("remounted", { reason, interrupted });
    return;
  }
  banner("This page lost its connection to the server.");
}

// Puts a freshly rendered copy of the page in place of this one, and starts its view.
function swapIn(doc) {
  const scroll = [scrollX, scrollY];
  const typed = new Map();
  for (const el of document.querySelectorAll("input[id], textarea[id], select[id]")) {
    const state = fieldState(el);
    if (state !== null && state !== fieldState(el, true)) typed.set(el.id, state);
  }
  const focused = document.activeElement?.id;
  const selection = focused ? [document.activeElement.selectionStart, document.activeElement.selectionEnd] : null;
  for (const name of ["strand-view", "strand-event", "strand-csrf", "strand-interrupted"]) {
    const fresh = meta(name, doc);
    const old = meta(name);
    if (old && fresh) old.replaceWith(document.importNode(fresh, true));
    else if (fresh) document.head.append(document.importNode(fresh, true));
    else old?.remove();
  }
  document.body.replaceWith(document.importNode(doc.body, true));
  for (const [id, state] of typed) {
    const el = document.getElementById(id);
    if (el && fieldState(el) !== null) putFieldState(el, state);
  }
  const again = focused && document.getElementById(focused);
  if (again) {
    again.focus();
    try { again.setSelectionRange(...selection); } catch { /* not a text field */ }
  }
  scrollTo(...scroll);
  running.clear();
  readMetas();
  stopped = false;
  left = false;
  root.classList.remove("strand-expired");
  transport = sharedOk() ? sharedStream() : ownStream();
}

// A notice at the top of the page with a Reload button, for when Strand cannot go on by itself.
function banner(message) {
  document.querySelector(".strand-banner")?.remove();
  const box = document.createElement("div");
  box.className = "strand-banner";
  box.setAttribute("role", "alert");
  const text = document.createElement("span");
  text.textContent = message + " ";
  const reload = document.createElement("button");
  reload.type = "button";
  reload.textContent = "Reload";
  reload.addEventListener("click", () => location.reload());
  box.append(text, reload);
  document.body.prepend(box);
}

// ---- Posting page events ----

export function post(url, params) {
  const headers = {
    "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
    Accept: "application/json, text/plain, */*",
  };
  if (view) headers["Strand-View"] = view;
  if (csrf) headers[csrf.header] = csrf.token;
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers,
    body: new URLSearchParams(params ?? ""),
  });
}

// Marks el busy and disables the given controls; returns a function undoing exactly that, where the server has
// not drawn them busy or disabled itself meanwhile (a morph then took the marks away: the server's state stands).
function setBusy(el, controls) {
  el.setAttribute("aria-busy", "true");
  el.setAttribute("data-strand-busy", "");
  const disabled = controls.filter((c) => "disabled" in c && !c.disabled);
  for (const c of disabled) {
    c.disabled = true;
    c.setAttribute("data-strand-disabled", "");
  }
  return () => {
    if (el.hasAttribute("data-strand-busy")) {
      el.removeAttribute("aria-busy");
      el.removeAttribute("data-strand-busy");
    }
    for (const c of disabled) {
      if (!c.hasAttribute("data-strand-disabled")) continue;
      c.disabled = false;
      c.removeAttribute("data-strand-disabled");
    }
  };
}

// What the user is told when a page event fails: a short message per status, never the response's body
// (which goes to the console, for the developer).
const failures = {
  400: "The server could not accept that. Reload the page and try again.",
  401: "You are not signed in. Reload the page to sign in.",
  403: "That was refused: you may have been signed out. Reload the page to continue.",
  404: "This page is out of date. Reload it to continue.",
  409: "This conflicts with a change made meanwhile. Reload the page and try again.",
  410: "This page has closed on the server. Reload it to continue.",
  413: "That was too large to send.",
  429: "Too much is running right now. Wait a moment and try again.",
  503: "The server is unavailable right now. Try again in a moment.",
  504: "The server took too long to answer. Try again in a moment.",
};

async function failureMessage(url, res) {
  const body = (await res.text().catch(() => "")).trim();
  console.warn(`strand: POST ${url} answered ${res.status}`, body.slice(0, 2000));
  if (failures[res.status]) return failures[res.status];
  if (res.status >= 500) {
    let ref = null;
    try {
      ref = JSON.parse(body)?.requestId; // Spring Boot's error response names the request in its log
    } catch { /* not JSON */ }
    return `Something went wrong on the server${typeof ref === "string" && /^[\w-]{1,40}$/.test(ref) ? ` (ref ${ref})` : ""}. Try again.`;
  }
  return `That did not work (HTTP ${res.status}). Reload the page and try again.`;
}

let going = null; // settles a while after go() sent the browser to another page

// Takes the browser to a URL that the server sent: a page event's redirect, or View.navigate.
function go(url) {
  let to;
  try {
    to = new URL(url, location.href);
  } catch {
    to = null;
  }
  if (!to || (to.protocol !== "http:" && to.protocol !== "https:")) {
    console.warn("strand: not navigating to", url, "(only http and https URLs)");
    return;
  }
  location.assign(to.href);
  // The page is being left, unless the URL differs only in its fragment: controls busy with the page event that
  // sent it there stay busy meanwhile, a while at most (the answer may be a download, and the page stays).
  if (!(to.hash && to.href.slice(0, -to.hash.length) === location.href.split("#")[0])) {
    going = new Promise((resolve) => setTimeout(resolve, 10000));
  }
}

// Posts a page event; restore(ok) ends the control's busy state, and says whether the handler took it.
async function send(url, body, restore) {
  let status = 0;
  let message;
  try {
    const res = await post(url, body);
    if (res.ok) {
      await res.arrayBuffer().catch(() => {}); // read it to the end, or the browser reports the request aborted
      const to = res.headers.get("Strand-Redirect");
      const event = Number(res.headers.get("Strand-Event"));
      if (to) {
        go(to); // the handler redirected: fetch did not follow it, the browser goes there
      } else if (Number.isSafeInteger(event)) {
        // Keep the control busy until the page shows what the handler changed: a second click on a Start
        // button would otherwise land before the patch that turns it into Cancel.
        await applied(event);
      }
      await going; // and while the browser leaves for another page (a redirect, View.navigate), a while at most
      return;
    }
    status = res.status;
    message = await failureMessage(url, res);
  } catch {
    message = "Could not reach the server. Check your connection and try again.";
  } finally {
    restore(message === undefined);
  }
  flash("error", message);
  emit("error", { url, status, message });
}

// data-strand-param-user-id="7" posts userId=7, as the element's dataset names it.
function appendParams(params, el) {
  for (const [key, value] of Object.entries(el?.dataset ?? {})) {
    if (key.startsWith("strandParam") && key.length > 11) {
      params.append(key[11].toLowerCase() + key.slice(12), value);
    }
  }
}

const submits = (el) => el.form && ((el.tagName === "BUTTON" && el.type === "submit")
  || (el.tagName === "INPUT" && (el.type === "submit" || el.type === "image")));

const isField = (el) => (el.tagName === "INPUT" && !["button", "submit", "image", "reset"].includes(el.type))
  || el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.tagName === "OPTION";

const warned = new WeakSet();
function warnOnce(el, message) {
  if (warned.has(el)) return;
  warned.add(el);
  console.warn("strand: " + message, el);
}

// A flash message's close button: gone from the page at once, and from the view, so that no re-render
// brings it back.
function dismiss(box) {
  const kind = box.dataset.kind;
  box.remove();
  if (!view || stopped || left) return;
  post(streamUrl + "/clear-flash", kind ? { kind } : "")
    .then((res) => { if (!res.ok) console.warn("strand: could not clear the", kind, "flash:", res.status); })
    .catch(() => {});
}

function onClick(e) {
  const t = e.target instanceof Element ? e.target : null;
  if (!t || e.defaultPrevented) return;

  const close = t.closest(".strand-flash-close");
  if (close) {
    const box = close.closest(".strand-flash");
    if (box) dismiss(box);
    return;
  }

  const el = t.closest("[data-strand-post]");
  if (!el || el.tagName === "FORM") return; // a form posts when it is submitted
  // A control inside the element (a checkbox in a row that posts, a link in a card): the click is the control's.
  const control = t.closest("a[href], button, input, select, textarea, label, summary, [contenteditable]");
  if (control && control !== el && el.contains(control)) return;
  if (submits(el)) return; // a submit button posts its form's fields to its own URL, on submit
  if (isField(el)) {
    warnOnce(el, `data-strand-post on <${el.tagName.toLowerCase()}${el.type ? " type=" + el.type : ""}> does nothing: `
      + "a click on a form field cannot post without breaking the field. Put the field in a <form data-strand-post> "
      + "and post it with a button, or call Strand.post from a change listener.");
    return;
  }
  if (el.tagName === "A" && (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)) return;
  e.preventDefault();
  if (el.getAttribute("aria-busy") === "true") return;

  const params = new URLSearchParams();
  const name = el.getAttribute("name");
  if (name) params.append(name, "value" in el ? el.value : el.getAttribute("value") ?? "");
  appendParams(params, el);
  const url = el.dataset.strandPost || el.getAttribute("href") || location.href;
  send(url, params, setBusy(el, [el]));
}

function onSubmit(e) {
  const form = e.target;
  if (e.defaultPrevented || !(form instanceof HTMLFormElement)) return;
  const submitter = e.submitter?.hasAttribute("data-strand-post") ? e.submitter : null;
  if (!submitter && !form.hasAttribute("data-strand-post")) return;
  if (!submitter && e.submitter?.hasAttribute("formaction")) return; // the button sends the form elsewhere, as HTML does
  e.preventDefault();
  if (form.getAttribute("aria-busy") === "true") return;
  if (form.querySelector("input[type=file]")) {
    warnOnce(form, "a page event is sent form-urlencoded, so this form's files are not sent with it.");
  }

  // Build the body before disabling anything: disabled controls are not submitted.
  const body = new URLSearchParams();
  for (const [key, value] of new FormData(form, e.submitter)) {
    if (typeof value === "string") body.append(key, value);
  }
  appendParams(body, form);
  appendParams(body, e.submitter); // a plain submit button's params too, as its name and value
  const buttons = [...form.elements].filter((c) => c.type === "submit" || c.type === "image");
  const url = submitter ? submitter.dataset.strandPost || form.action : form.dataset.strandPost || form.action;
  const restore = setBusy(form, buttons);
  const sent = new Map();
  for (const field of form.elements) {
    const state = fieldState(field);
    if (state !== null) sent.set(field, state);
  }
  sending.set(form, sent);
  send(url, body, (ok) => {
    sending.delete(form);
    restore();
    if (ok) return;
    // The handler changed nothing: what was sent comes back where a re-render took it away meanwhile.
    for (const [field, state] of sent) {
      const now = fieldState(field);
      if (now !== state && now === fieldState(field, true)) putFieldState(field, state);
    }
  });
}

// The page is being left (unloaded, navigated away from, put in the back/forward cache): close its view now,
// cancelling its tasks, rather than when the server's grace period ends. A keepalive fetch outlives the page
// and, unlike a beacon, carries the view and CSRF headers.
function leave() {
  leaving = true;
  transport?.close(); // hand a shared stream on at once
  if (!view || stopped || left) return;
  left = true;
  const headers = { "Strand-View": view };
  if (csrf) headers[csrf.header] = csrf.token;
  try {
    fetch(streamUrl + "/close", { method: "POST", keepalive: true, credentials: "same-origin", headers }).catch(() => {});
  } catch { /* the page is going anyway */ }
}

// The page is shown again: from the back/forward cache, its view was closed when it was left, so it remounts.
function returned(e) {
  leaving = false;
  if (!e.persisted || stopped) return;
  if (left) remount("view-closed");
  else transport?.resume();
}

// ---- Bootstrap ----

function sharedOk() {
  return typeof BroadcastChannel === "function" && typeof navigator.locks?.request === "function";
}

if (view) {
  document.addEventListener("click", onClick);
  document.addEventListener("submit", onSubmit);
  addEventListener("pagehide", leave);
  addEventListener("pageshow", returned);
  window.Strand = { post, flash, get view() { return view; } };
  transport = sharedOk() ? sharedStream() : ownStream();
}
