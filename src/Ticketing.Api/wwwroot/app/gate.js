// The gate: a scanner picks an event and names its gate, then admits tickets
// by camera, by typing the code, or with a USB scanner acting as a keyboard.
// The server decides every admission; this page only shows its answer.
import { Problem, api, dateTime, el, header, patiently, problemBox, requireRole, session, show, time } from "/app/common.js";

const main = document.getElementById("main");

const choiceKey = "ticketing.gate.choice"; // localStorage: {eventId, gate}, kept across visits on this device
const tallyKey = "ticketing.gate.tally"; // sessionStorage: this tab's counts and last scans, kept across reloads
const recentLimit = 10;
const cameraRepeatMs = 2000; // a code held in view is read many times a second: one scan until it has been away this long
const cameraEveryMs = 150;
const wedgeGapMs = 100; // a USB scanner types each character within a few milliseconds of the last; people do not
const wedgeMinLength = 4;

const outcomes = {
  admitted: { tone: "ok", icon: "✓", word: "Admitted", detail: () => "Let them in.", badge: "ok", count: "admitted" },
  already_admitted: {
    tone: "warn", icon: "!", word: "Already admitted", badge: "warn", count: "already",
    detail: (scan) => `First scanned ${when(scan.firstScannedAt)} at ${scan.firstGate ? `gate ${scan.firstGate}` : "an unnamed gate"}.`,
  },
  revoked: { tone: "bad", icon: "✕", word: "Revoked", detail: () => "Refunded or voided ticket. Do not admit.", badge: "bad", count: "refused" },
  wrong_event: { tone: "bad", icon: "✕", word: "Wrong event", detail: () => "Ticket for another event. Do not admit.", badge: "bad", count: "refused" },
  unknown: { tone: "bad", icon: "✕", word: "Unknown code", detail: () => "No ticket has this code. Do not admit.", badge: "bad", count: "refused" },
};

start().catch((error) => show(main, el("h1", {}, "Gate"), problemBox(error)));

async function start() {
  const me = await requireRole("scanner");
  await header("Gate");
  if (!me) {
    notAScanner(await session());
    return;
  }

  await loadEvents(me);
}

function notAScanner(me) {
  show(main,
    el("h1", {}, "Gate"),
    el("div", { class: "notice notice-warn", role: "alert" },
      el("p", {}, `You are signed in as ${me.userId}, who is not a scanner.`),
      el("p", {}, "Only an account with the scanner role can admit tickets at a gate.")),
    el("a", { class: "button", href: `/signin?returnUrl=${encodeURIComponent("/gate")}` }, "Sign in as someone else"));
}

// ---- Picking the event and the gate ----

async function loadEvents(me) {
  const status = el("p", { class: "muted", role: "status" }, "Loading your events…");
  show(main, el("h1", {}, "Gate"), status);
  const onWait = (problem, seconds) => {
    status.textContent = problem.status === 429
      ? `Too many requests: trying again in ${seconds} s…`
      : `The service is not answering: trying again in ${seconds} s…`;
  };

  let events;
  try {
    events = await gateEvents(me, onWait);
  } catch (problem) {
    show(main, el("h1", {}, "Gate"), problemBox(problem),
      el("button", { type: "button", onclick: () => loadEvents(me) }, "Try again"));
    return;
  }

  const remembered = readChoice();
  const resumed = remembered && events.find((event) => event.id === remembered.eventId);
  if (resumed && remembered.gate) {
    scanning(me, events, resumed, remembered.gate);
  } else {
    picker(me, events, remembered);
  }
}

/**
 * The events this scanner works: its organizations' upcoming events, only
 * those of its token's events when it names some. An event that has already
 * started is no longer upcoming, so the ones named by the token and the one
 * this device was scanning for are read by id.
 */
async function gateEvents(me, onWait) {
  const lists = await Promise.all(me.organizations.map((organization) =>
    patiently(() => api("GET", `/api/events?organizationId=${encodeURIComponent(organization)}`), onWait)));
  const narrowed = me.events.length > 0;
  const byId = new Map();
  for (const event of lists.flat()) {
    if (!narrowed || me.events.includes(event.id)) {
      byId.set(event.id, event);
    }
  }

  const wanted = narrowed ? [...me.events] : [];
  const remembered = readChoice()?.eventId;
  if (remembered && (!narrowed || me.events.includes(remembered))) {
    wanted.push(remembered);
  }

  for (const id of wanted.filter((id) => !byId.has(id))) {
    const event = await patiently(() => api("GET", `/api/events/${encodeURIComponent(id)}`), onWait).catch((problem) => {
      if (problem instanceof Problem && [404, 422].includes(problem.status)) {
        return null; // gone, or not an event id: nothing to offer
      }

      throw problem;
    });
    if (event && me.organizations.includes(event.organizationId)) {
      byId.set(event.id, event);
    }
  }

  return [...byId.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.title.localeCompare(b.title));
}

function picker(me, events, remembered) {
  if (events.length === 0) {
    show(main,
      el("h1", {}, "Gate"),
      el("div", { class: "notice notice-info" },
        el("p", {}, me.events.length > 0
          ? "None of the events your account may scan is coming up."
          : `No upcoming events for ${me.organizations.join(", ")}.`),
        el("p", {}, "Events appear here once an organizer of your organization creates them.")),
      el("button", { type: "button", class: "secondary", onclick: () => loadEvents(me) }, "Look again"));
    return;
  }

  const chosen = remembered?.eventId ?? (events.length === 1 ? events[0].id : null);
  const gateName = el("input", {
    id: "gate-name", name: "gate", type: "text", maxlength: 100, autocomplete: "off", required: true,
    placeholder: "e.g. North 1", "aria-describedby": "gate-name-hint", value: remembered?.gate ?? "",
  });
  const error = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "card", novalidate: true },
    el("fieldset", { class: "gate-events" },
      el("legend", {}, "Event"),
      events.map((event) => el("label", { class: "gate-event" },
        el("input", { type: "radio", name: "event", value: event.id, checked: event.id === chosen }),
        el("span", {},
          el("span", { class: "gate-event-title" }, event.title),
          el("span", { class: "muted" }, [dateTime(event.startsAt), event.venue].filter(Boolean).join(" · ")))))),
    el("label", { for: "gate-name" }, "Gate name"),
    gateName,
    el("p", { id: "gate-name-hint", class: "muted" }, "Other gates see it when a ticket admitted here is scanned again."),
    error,
    el("button", { type: "submit" }, "Start scanning"));

  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const eventId = form.querySelector("input[name=event]:checked")?.value;
    const event = events.find((candidate) => candidate.id === eventId);
    const gate = gateName.value.trim();
    const missing = [!event && "Choose the event this gate admits to.", !gate && "Name this gate, e.g. North 1."].filter(Boolean);
    if (missing.length > 0) {
      show(error, el("div", { class: "notice notice-error", role: "alert" }, missing.map((line) => el("p", {}, line))));
      (event ? gateName : form.querySelector("input[name=event]")).focus();
      return;
    }

    writeChoice({ eventId: event.id, gate });
    scanning(me, events, event, gate);
  });

  show(main,
    el("h1", {}, "Gate"),
    el("p", {}, "Choose the event this gate admits to and name the gate."),
    form);
}

// ---- Scanning ----

let active = null; // the scanning view's state while it is shown

function scanning(me, events, event, gate) {
  const tally = readTally(event.id, gate);
  const heading = el("h1", { tabindex: -1, class: "gate-title" }, event.title);
  const live = el("div", { class: "result-live", "aria-live": "assertive", "aria-atomic": "true" });
  const actions = el("div", { class: "result-actions" });
  const panel = el("section", { class: "result result-ready", "aria-label": "Scan result", "data-result": "ready" }, live, actions);
  const code = el("input", {
    id: "code", type: "text", autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "go",
    "aria-describedby": "code-hint", maxlength: 200,
  });
  const entry = el("form", { class: "gate-entry", novalidate: true },
    el("label", { for: "code" }, "Ticket code"),
    el("div", { class: "row" }, code, el("button", { type: "submit" }, "Scan")),
    el("p", { id: "code-hint", class: "muted" }, "Type the code shown with the QR code and press Enter. A USB scanner works anywhere on this page while no text field is selected."));
  const video = el("video", { class: "camera", muted: true, playsinline: true, hidden: true, "aria-label": "Camera view" });
  const cameraButton = el("button", { type: "button", class: "secondary" }, "Start camera");
  const cameraStatus = el("p", { class: "muted", role: "status" });
  const counts = el("div", { class: "counts" });
  const recent = el("div", {});

  active = {
    me, event, gate, tally, panel, live, actions, counts, recent, video, cameraButton, cameraStatus,
    queue: Promise.resolve(), pending: 0, waitUntil: 0, timer: null,
    camera: null, // {stream, decode, lastCode, lastSeenAt}
    wedge: { chars: "", lastAt: 0 },
  };

  cameraButton.addEventListener("click", () => (active.camera ? stopCamera() : startCamera()));
  entry.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const value = code.value;
    code.value = "";
    enqueue(value, "typed");
  });

  show(main,
    el("div", { class: "gate-bar" },
      el("div", {},
        heading,
        el("p", { class: "gate-where" },
          [dateTime(event.startsAt), event.venue].filter(Boolean).join(" · "), " · ",
          el("strong", {}, `Gate ${gate}`))),
      el("button", { type: "button", class: "secondary", onclick: () => change(me, events) }, "Change event or gate")),
    panel,
    entry,
    el("div", { class: "gate-camera" }, cameraButton, cameraStatus, video),
    el("section", { "aria-labelledby": "counts-title" }, el("h2", { id: "counts-title" }, "This device"), counts),
    el("section", { "aria-labelledby": "recent-title" }, el("h2", { id: "recent-title" }, "Last scans"), recent));

  ready();
  renderTally();
  heading.focus();
}

function change(me, events) {
  stopCamera();
  clearTimeout(active?.timer);
  const remembered = readChoice();
  active = null;
  picker(me, events, remembered);
}

/** Scans run one after another, in the order they were read. */
function enqueue(raw, how) {
  const code = raw.trim();
  if (!active || code === "") {
    return;
  }

  const view = active;
  view.pending++;
  view.queue = view.queue.then(() => scan(view, code, how)).finally(() => view.pending--);
}

async function scan(view, code, how) {
  if (view !== active) {
    return; // the scanner changed event or gate meanwhile
  }

  const waitMs = view.waitUntil - Date.now();
  if (waitMs > 0) {
    waiting(view, code, waitMs);
    return;
  }

  result(view, "checking", "…", "Checking…", how === "camera" ? "Code read by the camera." : "");
  try {
    const answer = await api("POST", "/api/scans", { token: code, eventId: view.event.id, gate: view.gate });
    if (view !== active) {
      return;
    }

    shown(view, answer);
  } catch (problem) {
    if (view === active) {
      refused(view, problem, code);
    }
  }
}

function shown(view, answer) {
  const outcome = outcomes[answer.result] ?? { tone: "bad", icon: "?", word: answer.result, detail: () => "Do not admit: ask a supervisor.", badge: "bad", count: "refused" };
  const lines = [outcome.detail(answer)];
  if (answer.result === "already_admitted") {
    lines.push(`Scanned ${answer.scanCount} times.`);
  }

  result(view, answer.result, outcome.icon, outcome.word, ...lines, ticketLine(answer));
  view.tally[outcome.count]++;
  remember(view, { at: new Date().toISOString(), result: answer.result, word: outcome.word, badge: outcome.badge, ticketId: answer.ticketId, tierId: answer.tierId });
  vibrate(answer.result === "admitted" ? 80 : [200, 100, 200]);
}

function refused(view, problem, code) {
  const status = problem instanceof Problem ? problem.status : null;
  if (status === 429) {
    view.waitUntil = Date.now() + Math.max(1, problem.retryAfter ?? 2) * 1000;
    waiting(view, code, view.waitUntil - Date.now());
    return;
  }

  const signIn = (text) => el("a", { class: "button", href: `/signin?returnUrl=${encodeURIComponent("/gate")}` }, text);
  const retry = () => el("button", { type: "button", onclick: () => enqueue(code, "retry") }, "Retry");
  const [state, icon, word, detail, action] =
    status === 403 ? ["forbidden", "✕", "Not allowed", "This account may not scan at this event. Do not admit: sign in as one of its scanners.", signIn("Sign in as someone else")]
    : status === 401 ? ["signed-out", "✕", "Signed out", "Your session has ended. Sign in again to go on scanning.", signIn("Sign in")]
    : status === 503 ? ["unavailable", "!", "Unavailable", `The service is briefly unavailable${problem.retryAfter ? `: retry in ${problem.retryAfter} s` : ""}. The ticket was not checked.`, retry()]
    : status === 0 ? ["offline", "!", "No connection", "This device cannot reach the server. Check the Wi-Fi or mobile data, then retry. The ticket was not checked.", retry()]
    : status === 422 ? ["invalid", "✕", "Not a ticket code", "What was read is not a ticket's code. Do not admit.", null]
    : ["error", "!", "Not checked", `${problem instanceof Error ? problem.message : "Something went wrong."} The ticket was not checked.`, retry()];
  result(view, state, icon, word, detail);
  show(view.actions, action);
  remember(view, { at: new Date().toISOString(), result: state, word, badge: "warn" });
}

/** 429: the panel counts the wait down; Retry scans the same code once the wait is over. */
function waiting(view, code, ms) {
  clearTimeout(view.timer);
  const seconds = Math.ceil(ms / 1000);
  result(view, "rate-limited", "!", "Slow down", `Too many scans from this account: wait ${seconds} s, then retry. The ticket was not checked.`);
  const left = el("span", { class: "result-wait", "aria-hidden": "true" }, `${seconds} s`);
  const retry = el("button", { type: "button", disabled: true, onclick: () => enqueue(code, "retry") }, "Retry");
  show(view.actions, retry, left);
  const tick = () => {
    const remaining = view.waitUntil - Date.now();
    if (remaining <= 0) {
      left.textContent = "Ready to retry";
      retry.disabled = false;
      return;
    }

    left.textContent = `${Math.ceil(remaining / 1000)} s`;
    view.timer = setTimeout(tick, Math.min(remaining, 250));
  };
  tick();
}

function ready() {
  result(active, "ready", "", "Ready", "Scan a ticket.");
}

/** Fills the result panel: one state at a time, in words as well as colour. */
function result(view, state, icon, word, ...lines) {
  clearTimeout(view.timer);
  const outcome = outcomes[state];
  const tone = outcome?.tone ?? ({ ready: "ready", checking: "ready", "rate-limited": "warn", unavailable: "warn", offline: "warn" }[state] ?? "bad");
  view.panel.className = `result result-${tone}`;
  view.panel.dataset.result = state;
  show(view.live,
    el("p", { class: "result-word" }, icon ? el("span", { class: "result-icon", "aria-hidden": "true" }, icon) : null, el("span", {}, word)),
    lines.filter(Boolean).map((line) => (typeof line === "string" ? el("p", { class: "result-detail" }, line) : line)),
    state === "ready" || state === "checking" ? null : el("p", { class: "result-at" }, `at ${time(new Date().toISOString())}`));
  show(view.actions);
}

function ticketLine(answer) {
  if (!answer.ticketId) {
    return null;
  }

  return el("p", { class: "result-ticket" },
    "Ticket ", el("strong", { class: "ticket-short" }, short(answer.ticketId)),
    answer.tierId ? [" · tier ", el("strong", {}, short(answer.tierId))] : null);
}

// ---- Counts and last scans ----

function remember(view, entry) {
  view.tally.recent.unshift(entry);
  view.tally.recent.length = Math.min(view.tally.recent.length, recentLimit);
  writeTally(view.tally);
  renderTally();
}

function renderTally() {
  const { tally, counts, recent } = active;
  const count = (label, value, tone) => el("div", { class: `count count-${tone}`, "data-count": label.toLowerCase().replaceAll(" ", "-") },
    el("span", { class: "count-number" }, String(value)), " ", el("span", { class: "count-label" }, label));
  show(counts,
    count("Admitted", tally.admitted, "ok"),
    count("Already admitted", tally.already, "warn"),
    count("Refused", tally.refused, "bad"));
  show(recent, tally.recent.length === 0
    ? el("p", { class: "muted" }, "No scans yet on this device.")
    : el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-labelledby": "recent-title" }, el("table", { class: "recent" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Time"), el("th", { scope: "col" }, "Result"), el("th", { scope: "col" }, "Ticket"), el("th", { scope: "col" }, "Tier"))),
      el("tbody", {}, tally.recent.map((entry) => el("tr", { "data-result": entry.result },
        el("td", {}, time(entry.at)),
        el("td", {}, el("span", { class: `badge badge-${entry.badge}` }, entry.word)),
        el("td", {}, entry.ticketId ? short(entry.ticketId) : "—"),
        el("td", {}, entry.tierId ? short(entry.tierId) : "—")))))));
}

// ---- Camera ----

async function startCamera() {
  const view = active;
  const { video, cameraButton, cameraStatus } = view;
  if (!navigator.mediaDevices?.getUserMedia) {
    cameraStatus.textContent = "This browser offers no camera to this page. Type the code or use a USB scanner.";
    return;
  }

  cameraButton.disabled = true;
  cameraStatus.textContent = "Starting the camera…";
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
  } catch (error) {
    cameraButton.disabled = false;
    cameraStatus.textContent = error?.name === "NotAllowedError"
      ? "The camera was not allowed. Allow it in the browser's site settings, or type the code."
      : error?.name === "NotFoundError"
        ? "No camera found on this device. Type the code or use a USB scanner."
        : `The camera could not start (${error?.message ?? error}). Type the code or use a USB scanner.`;
    return;
  }

  let decode;
  try {
    decode = await qrDecoder();
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    cameraButton.disabled = false;
    cameraStatus.textContent = `The QR reader could not load (${error.message}). Type the code or use a USB scanner.`;
    return;
  }

  if (view !== active) {
    stream.getTracks().forEach((track) => track.stop());
    return;
  }

  video.srcObject = stream;
  video.hidden = false;
  await video.play().catch(() => {});
  view.camera = { stream, decode, lastCode: null, lastSeenAt: 0 };
  cameraButton.disabled = false;
  cameraButton.textContent = "Stop camera";
  cameraStatus.textContent = "Camera on: hold the ticket's QR code in view.";
  watch(view, view.camera);
}

function stopCamera() {
  const camera = active?.camera;
  if (!camera) {
    return;
  }

  active.camera = null;
  camera.stream.getTracks().forEach((track) => track.stop());
  active.video.srcObject = null;
  active.video.hidden = true;
  active.cameraButton.textContent = "Start camera";
  active.cameraStatus.textContent = "Camera off.";
}

async function watch(view, camera) {
  while (view.camera === camera) {
    if (view.video.readyState >= 2) {
      const code = await camera.decode(view.video).catch(() => null);
      if (code && view.camera === camera) {
        seen(view, camera, code);
      }
    }

    await new Promise((resolve) => setTimeout(resolve, cameraEveryMs));
  }
}

/** A code stays in view for many frames: it is scanned once, and again only after it has been out of view a while. */
function seen(view, camera, code) {
  const now = Date.now();
  if (code === camera.lastCode && now - camera.lastSeenAt < cameraRepeatMs) {
    camera.lastSeenAt = now;
    return;
  }

  if (view.pending > 0) {
    return; // read again on a later frame, once the gate is free
  }

  camera.lastCode = code;
  camera.lastSeenAt = now;
  enqueue(code, "camera");
}

/** The browser's own barcode reader when it reads QR codes, otherwise jsQR, loaded only now. */
async function qrDecoder() {
  if ("BarcodeDetector" in window) {
    const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
    if (formats.includes("qr_code")) {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
    }
  }

  await loadScript("/vendor/jsqr.js");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    // A smaller frame reads as well and costs a phone far less.
    const scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    return window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data || null;
  };
}

function loadScript(src) {
  if (window.jsQR) {
    return Promise.resolve();
  }

  return new Promise((resolve, reject) => {
    document.head.append(el("script", { src, onload: resolve, onerror: () => reject(new Error(`${src} did not load`)) }));
  });
}

// ---- USB scanners (keyboard wedge) ----

document.addEventListener("keydown", (key) => {
  if (!active || typing(key.target) || key.ctrlKey || key.altKey || key.metaKey) {
    return;
  }

  const wedge = active.wedge;
  // When the key arrived, not when this handler ran: a busy device must not split a scanner's burst.
  const now = key.timeStamp;
  if (key.key === "Enter") {
    if (wedge.chars.length >= wedgeMinLength && now - wedge.lastAt < wedgeGapMs * 2) {
      key.preventDefault(); // the code's Enter, not a press of the focused button
      enqueue(wedge.chars, "wedge");
    }

    wedge.chars = "";
    return;
  }

  if (key.key.length !== 1) {
    return;
  }

  if (now - wedge.lastAt > wedgeGapMs) {
    wedge.chars = "";
  }

  wedge.chars += key.key;
  wedge.lastAt = now;
});

function typing(target) {
  if (!(target instanceof HTMLElement)) {
    return false;
  }

  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
    return true;
  }

  return target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(target.type);
}

// ---- Small things ----

/** The random end of an id: enough to tell tickets apart at a glance. */
function short(id) {
  return id.slice(-8);
}

function when(iso) {
  if (!iso) {
    return "earlier";
  }

  const at = new Date(iso);
  return at.toDateString() === new Date().toDateString() ? `at ${time(iso)}` : `on ${dateTime(iso)}`;
}

function vibrate(pattern) {
  try {
    navigator.vibrate?.(pattern);
  } catch {
    // Vibration is a courtesy; some browsers refuse it without a tap first.
  }
}

function readChoice() {
  try {
    const choice = JSON.parse(localStorage.getItem(choiceKey) ?? "null");
    return typeof choice?.eventId === "string" ? { eventId: choice.eventId, gate: typeof choice.gate === "string" ? choice.gate : "" } : null;
  } catch {
    return null;
  }
}

function writeChoice(choice) {
  try {
    localStorage.setItem(choiceKey, JSON.stringify(choice));
  } catch {
    // Storage may be off (private browsing): the gate works, it just asks again next time.
  }
}

function readTally(eventId, gate) {
  try {
    const tally = JSON.parse(sessionStorage.getItem(tallyKey) ?? "null");
    if (tally?.eventId === eventId && tally.gate === gate && Array.isArray(tally.recent)) {
      return tally;
    }
  } catch {
    // A tally that cannot be read starts again.
  }

  return { eventId, gate, admitted: 0, already: 0, refused: 0, recent: [] };
}

function writeTally(tally) {
  try {
    sessionStorage.setItem(tallyKey, JSON.stringify(tally));
  } catch {
    // Counts still show; they are lost on reload only.
  }
}
