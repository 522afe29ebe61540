// What every page shares: the session, calls to the API with their problems,
// and a few small DOM and formatting helpers. Pages are plain ES modules.

let current; // the session once read: {userId, roles, organizations, events, antiforgeryToken} or null

/** The signed-in caller, or null. Read once per page load. */
export async function session() {
  if (current !== undefined) {
    return current;
  }

  const response = await fetch("/auth/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  current = response.ok ? await response.json() : null;
  return current;
}

/** Sends the browser to the sign-in page, coming back here afterwards. */
export function signIn() {
  location.assign(`/signin?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
}

/**
 * The signed-in caller holding <role>: without a session the page goes to
 * sign-in; with one that lacks the role, null (the page says so).
 */
export async function requireRole(role) {
  const me = await session();
  if (!me) {
    signIn();
    return new Promise(() => {}); // the page is leaving
  }

  return me.roles.includes(role) ? me : null;
}

export async function signOut() {
  await api("POST", "/auth/signout");
  location.assign("/");
}

/** An RFC 9457 problem the API answered, with the seconds to wait when it said so. */
export class Problem extends Error {
  constructor(status, body, retryAfter) {
    super(body?.detail || body?.title || `The server answered ${status}.`);
    this.status = status;
    this.code = typeof body?.type === "string" ? body.type.replace("urn:ticketing:problem:", "") : null;
    this.title = body?.title ?? null;
    this.errors = body?.errors ?? null;
    this.retryAfter = retryAfter;
  }
}

/**
 * Calls the API as the signed-in caller. Answers the parsed JSON (null for
 * an empty body); throws Problem for an error answer, and for no answer at
 * all (status 0). Unsafe methods carry the session's antiforgery token.
 */
export async function api(method, path, body, headers = {}) {
  const request = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    request.headers["Content-Type"] = "application/json";
    request.body = JSON.stringify(body);
  }

  if (!["GET", "HEAD"].includes(method)) {
    const me = await session();
    if (me?.antiforgeryToken) {
      request.headers["X-CSRF-TOKEN"] = me.antiforgeryToken;
    }
  }

  let response;
  try {
    response = await fetch(path, request);
  } catch {
    throw new Problem(0, { title: "No connection.", detail: "The server could not be reached. Check the connection and try again." }, 5);
  }

  const text = await response.text();
  const parsed = text ? safeJson(text) : null;
  if (!response.ok) {
    const retryAfter = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    throw new Problem(response.status, parsed, Number.isFinite(retryAfter) ? retryAfter : null);
  }

  return parsed;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Waits out a 429 or 503 (Retry-After) and tries again; other problems are thrown. */
export async function patiently(call, onWait = () => {}) {
  for (;;) {
    try {
      return await call();
    } catch (problem) {
      if (!(problem instanceof Problem) || ![0, 429, 503].includes(problem.status)) {
        throw problem;
      }

      const seconds = Math.max(1, problem.retryAfter ?? 2);
      onWait(problem, seconds);
      await sleep(seconds * 1000);
    }
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates an element: el("p", {class: "note"}, "text", child). Attributes starting with "on" are listeners. */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }

    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }

  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Replaces an element's content. */
export function show(container, ...children) {
  container.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

export function money(cents, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(cents / 100);
}

export function dateTime(iso) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function time(iso) {
  return new Intl.DateTimeFormat(undefined, { timeStyle: "medium" }).format(new Date(iso));
}

/** "4:59" for a duration in milliseconds (never negative). */
export function countdown(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** A problem as a page shows it: an alert box with what to do next. */
export function problemBox(problem) {
  const message = problem instanceof Problem ? problem.message : "Something went wrong. Try again.";
  const details = problem instanceof Problem && problem.errors
    ? el("ul", {}, Object.values(problem.errors).flat().map((line) => el("li", {}, line)))
    : null;
  const wait = problem instanceof Problem && problem.status === 429
    ? el("p", {}, `Too many requests: wait ${problem.retryAfter ?? "a few"} seconds before trying again.`)
    : null;
  return el("div", { class: "notice notice-error", role: "alert", "data-problem": problem?.code ?? "error" }, el("p", {}, message), details, wait);
}

/** The top bar: product name, the page's links, who is signed in and a way out. */
export async function header(title, links = []) {
  const me = await session();
  const account = me
    ? el("span", { class: "account" }, el("span", { class: "who" }, `${me.userId} (${me.roles.join(", ")})`),
      el("button", { type: "button", class: "link", onclick: signOut }, "Sign out"))
    : el("a", { href: `/signin?returnUrl=${encodeURIComponent(location.pathname + location.search)}` }, "Sign in");
  const bar = el("header", { class: "topbar" },
    el("a", { class: "brand", href: "/" }, "Ticketing"),
    el("nav", { "aria-label": "Pages" }, links.map(([text, href]) => el("a", { href, "aria-current": location.pathname === href ? "page" : null }, text))),
    account);
  document.body.prepend(bar);
  document.title = `${title} · Ticketing`;
  return me;
}
