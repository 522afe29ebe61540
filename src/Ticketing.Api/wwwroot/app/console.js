// The organizer console: an organization's events, their tiers and on-sale,
// live sales and readiness; finding an order to refund it or re-issue a
// ticket's code; and for operators, alerts, reconciliation and their tools.
// One page, its views addressed by the URL's fragment (#/events, #/event/<id>,
// #/orders, #/order/<id>, #/operations) so the back button and links work.

import {
  api, dateTime, el, header, money, Problem, problemBox, session, show, signIn, signOut, time,
} from "/app/common.js";

/** How often the live figures of an event are read again while the page is visible. */
const REFRESH_MS = 5000;

/** Currencies offered for a tier: each has two decimal places, so an amount's cents are exact. */
const CURRENCIES = ["eur", "usd", "gbp", "chf", "sek", "nok", "dkk", "pln", "cad", "aud"];

const ORDER_STATUS = {
  awaiting_payment: ["Awaiting payment", "warn", "Placed; the buyer has not paid yet."],
  paid: ["Paid", "warn", "The money is in; the tickets are being issued."],
  fulfilled: ["Fulfilled", "ok", "Paid, every ticket issued."],
  payment_failed: ["Payment failed", "bad", "The last payment attempt failed; the buyer may pay again until the order expires."],
  cancelled: ["Cancelled", "bad", "Cancelled by the buyer before paying."],
  expired: ["Expired", "bad", "Not paid in time."],
  refunded: ["Refunded", "bad", "All the money went back to the buyer; no ticket of it admits."],
  partially_refunded: ["Partly refunded", "warn", "Some tickets were refunded; the others still admit."],
  disputed: ["Disputed", "bad", "The buyer's bank disputes the payment."],
  unfulfillable: ["Unfulfillable", "bad", "The money arrived after the tickets were gone; it was refunded automatically."],
};

const TICKET_STATUS = {
  issued: ["Valid", "ok"],
  refunded: ["Refunded", "bad"],
  voided: ["Voided", "bad"],
};

const READINESS = {
  ready: ["Ready", "ok", "Every check passes: the event can open its doors."],
  needs_cleanup: ["Needs clean-up", "warn", "Some held tickets belong to holds that have lapsed. They go back on sale when the tier next runs; an operator can run a reconciliation now."],
  not_ready: ["Not ready", "bad", "A tier shows fewer than zero tickets available, or paid orders are still missing tickets. Ask an operator: the alerts and the runbook say what to do."],
  no_tiers: ["No tiers", "warn", "Add a tier before selling: there is nothing to buy yet."],
};

const CHECKS = [
  ["hasTiers", "The event has tiers to sell.", "The event has no tiers yet."],
  ["noNegativeAvailability", "No tier has more tickets held and issued than its capacity.", "A tier has more tickets held and issued than its capacity."],
  ["noGhostReservations", "Every held ticket belongs to a live hold.", "Some tickets are counted as held by holds that have lapsed."],
  ["noPaidWithoutTickets", "Every paid order has its tickets.", "Some paid orders are still waiting for their tickets."],
];

const ALERTS = {
  paid_orders_missing_tickets: "Paid orders missing tickets",
  negative_ticket_availability: "Tiers below zero available",
  ghost_reservations_high: "Tickets held by lapsed holds",
  hold_expiry_lagging: "Lapsed holds not yet freed",
  revenue_mismatch: "Money differing from Stripe (cents)",
  payment_without_order: "Payments naming no order",
  onsale_queue_stalled: "Waiting rooms admitting nobody",
};

const main = document.getElementById("main");
const announcer = el("div", { class: "visually-hidden", role: "status", "aria-live": "polite", id: "announcer" });
let me = null;
let view = 0; // bumped on every navigation: work of an earlier view stops touching the page
let stopRefresh = () => {};

start();

async function start() {
  document.body.append(announcer);
  try {
    me = await session();
  } catch {
    show(main, el("h1", {}, "Console"), problemBox(new Problem(0, { title: "No connection.", detail: "The server could not be reached. Check the connection, then reload the page." }, null)));
    return;
  }

  if (!me) {
    signIn();
    return;
  }

  const links = isOrganizer() ? [["Events", "/console#/events"], ["Orders", "/console#/orders"]] : [];
  if (isOperator()) {
    links.push(["Operations", "/console#/operations"]);
  }

  await header("Console", links);
  window.addEventListener("hashchange", route);
  document.addEventListener("visibilitychange", () => document.dispatchEvent(new Event("console:visibility")));
  route();
}

const isOrganizer = () => me.roles.includes("organizer");
const isOperator = () => me.roles.includes("operator");

/** Shows the view the fragment names. */
function route() {
  stopRefresh();
  stopRefresh = () => {};
  view += 1;
  const current = view;
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  const params = new URLSearchParams(query ?? "");

  if (!isOrganizer() && !isOperator()) {
    return render(current, wrongRole());
  }

  if (!isOrganizer()) {
    // An operator runs the platform, and organizes no events of its own.
    return parts[0] === "operations" || parts.length === 0 ? operations(current) : render(current, organizersOnly());
  }

  switch (parts[0]) {
    case "event":
      return eventView(current, parts[1]);
    case "orders":
      return ordersView(current, params.get("q") ?? "");
    case "order":
      return orderView(current, parts[1]);
    case "operations":
      return isOperator() ? operations(current) : render(current, operatorsOnly());
    default:
      return eventsView(current, params.get("org"));
  }
}

/** Replaces the page's content with a view and puts focus on its heading, as a page load would. */
function render(current, ...content) {
  if (current !== view) {
    return false;
  }

  show(main, ...content);
  const heading = main.querySelector("h1");
  heading?.setAttribute("tabindex", "-1");
  heading?.focus({ preventScroll: false });
  return true;
}

function loading(current, what) {
  render(current, el("h1", {}, what), el("p", { class: "muted", "aria-busy": "true" }, "Loading…"));
}

function say(message) {
  announcer.textContent = "";
  // A change the screen reader notices even when the same words come twice.
  setTimeout(() => { announcer.textContent = message; }, 50);
}

function wrongRole() {
  return el("section", { class: "card" },
    el("h1", {}, "Console"),
    el("div", { class: "notice notice-warn", role: "alert", "data-state": "wrong-role" },
      el("p", {}, `You are signed in as ${me.userId} (${me.roles.join(", ") || "no role"}).`),
      el("p", {}, "The console is for organizers and operators. Sign in with an account that organizes events, or go to the storefront.")),
    el("div", { class: "row" },
      el("button", { type: "button", onclick: signOut }, "Sign out"),
      el("a", { class: "button secondary", href: "/" }, "Go to the storefront")));
}

function organizersOnly() {
  return el("section", { class: "card" },
    el("h1", {}, "For organizers"),
    el("div", { class: "notice notice-warn", role: "alert", "data-state": "wrong-role" },
      el("p", {}, "Events and orders are managed by their organizers. As an operator, see Operations."),
      el("p", {}, el("a", { href: "#/operations" }, "Go to Operations"))));
}

function operatorsOnly() {
  return el("section", { class: "card" },
    el("h1", {}, "For operators"),
    el("div", { class: "notice notice-warn", role: "alert", "data-state": "wrong-role" },
      el("p", {}, "Alerts and reconciliation are for the platform's operators."),
      el("p", {}, el("a", { href: "#/events" }, "Back to your events"))));
}

/** A problem, with a way to try again for those that pass (rate limits, unavailability, no connection). */
function trouble(problem, retry) {
  const box = problemBox(problem);
  if (problem instanceof Problem && [0, 503].includes(problem.status)) {
    box.append(el("p", {}, `The service is briefly unavailable: try again in ${problem.retryAfter ?? 2} seconds.`));
  }

  if (problem instanceof Problem && [0, 429, 503].includes(problem.status)) {
    box.append(el("button", { type: "button", class: "secondary", onclick: retry }, "Try again"));
  } else if (problem instanceof Problem && problem.status === 401) {
    box.append(el("button", { type: "button", onclick: signIn }, "Sign in again"));
  }

  return box;
}

// ----- Events -------------------------------------------------------------

function organizations() {
  return me.organizations?.length ? me.organizations : [me.userId];
}

function chosenOrganization(asked) {
  const all = organizations();
  const remembered = localStorage.getItem("console.organization");
  return [asked, remembered].find((org) => org && all.includes(org)) ?? all[0];
}

async function eventsView(current, askedOrg) {
  const org = chosenOrganization(askedOrg);
  localStorage.setItem("console.organization", org);
  loading(current, "Events");
  let events;
  try {
    events = await api("GET", `/api/events?organizationId=${encodeURIComponent(org)}`);
  } catch (problem) {
    render(current, el("h1", {}, "Events"), trouble(problem, route));
    return;
  }

  const picker = organizations().length > 1
    ? el("div", { class: "card no-print" },
      el("label", { for: "organization" }, "Organization"),
      el("select", {
        id: "organization",
        onchange: (e) => { location.hash = `#/events?org=${encodeURIComponent(e.target.value)}`; },
      }, organizations().map((o) => el("option", { value: o, selected: o === org }, o))))
    : null;

  const list = events.length === 0
    ? el("div", { class: "notice notice-info", "data-state": "empty" },
      el("p", {}, "No upcoming events yet."), el("p", {}, "Create the first one below: a title and a start time are enough."))
    : el("div", { class: "table-scroll" }, el("table", { "data-list": "events" },
      el("caption", { class: "visually-hidden" }, `Upcoming events of ${org}`),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Event"), el("th", { scope: "col" }, "Starts"), el("th", { scope: "col" }, "Venue"),
        el("th", { scope: "col" }, "Tiers"), el("th", { scope: "col" }, "Sold"))),
      el("tbody", {}, events.map((event) => {
        const capacity = event.tiers.reduce((sum, tier) => sum + tier.capacity, 0);
        const issued = event.tiers.reduce((sum, tier) => sum + tier.issued, 0);
        return el("tr", {},
          el("th", { scope: "row" }, el("a", { href: `#/event/${event.id}` }, event.title)),
          el("td", {}, dateTime(event.startsAt)),
          el("td", {}, event.venue ?? "—"),
          el("td", {}, String(event.tiers.length)),
          el("td", {}, `${issued} of ${capacity}`));
      }))));

  render(current,
    el("h1", {}, organizations().length > 1 ? `Events of ${org}` : "Your events"),
    picker,
    el("section", { "aria-labelledby": "upcoming" }, el("h2", { id: "upcoming" }, "Upcoming"), list),
    createEventForm(org));
}

function createEventForm(org) {
  const status = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "card", "aria-labelledby": "create-event", novalidate: true },
    el("h2", { id: "create-event" }, "Create an event"),
    field("event-title", "Title", el("input", { id: "event-title", name: "title", required: true, maxlength: 200, autocomplete: "off" })),
    field("event-starts", "Starts at", el("input", { id: "event-starts", name: "startsAt", type: "datetime-local", required: true }),
      `In your time zone (${zoneName()}).`),
    field("event-venue", "Venue (optional)", el("input", { id: "event-venue", name: "venue", maxlength: 200, autocomplete: "off" })),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Create event")),
    status);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const title = form.title.value.trim();
    const startsAt = form.startsAt.value;
    const errors = [];
    if (!title) {
      errors.push(["event-title", "Give the event a title."]);
    }

    if (!startsAt) {
      errors.push(["event-starts", "Give the date and time the event starts."]);
    } else if (new Date(startsAt) < new Date()) {
      errors.push(["event-starts", "The start is in the past: the console lists upcoming events only."]);
    }

    if (invalid(form, status, errors)) {
      return;
    }

    await submitting(form, status, "Creating the event…", async () => {
      const created = await api("POST", "/api/events", {
        title, startsAt: new Date(startsAt).toISOString(), venue: form.venue.value.trim() || undefined, organizationId: org,
      });
      say(`Event ${created.title} created.`);
      location.hash = `#/event/${created.id}`;
    });
  });
  return form;
}

// ----- One event ----------------------------------------------------------

async function eventView(current, eventId) {
  loading(current, "Event");
  let event;
  try {
    event = await api("GET", `/api/events/${encodeURIComponent(eventId ?? "")}`);
  } catch (problem) {
    render(current, el("h1", {}, "Event"), problem instanceof Problem && problem.status === 404 ? notFound("event") : trouble(problem, route));
    return;
  }

  if (!organizations().includes(event.organizationId)) {
    // Another organization's event: said as the API says it, as if it did not exist.
    render(current, el("h1", {}, "Event"), notFound("event"));
    return;
  }

  const sales = el("div", {});
  const updated = el("p", { class: "muted", "data-field": "updated" });
  const readiness = el("div", {});
  const onSale = el("div", {});
  const liveProblem = el("div", {});

  render(current,
    el("p", { class: "no-print" }, el("a", { href: "#/events" }, "← All events")),
    el("h1", {}, event.title),
    el("p", {}, `${dateTime(event.startsAt)}${event.venue ? ` · ${event.venue}` : ""}`),
    el("section", { "aria-labelledby": "sales" },
      el("div", { class: "spread" }, el("h2", { id: "sales" }, "Live sales"), updated),
      liveProblem, sales),
    addTierForm(event, () => refresh(true)),
    el("section", { "aria-labelledby": "readiness" }, el("h2", { id: "readiness" }, "Readiness"), readiness),
    el("section", { "aria-labelledby": "onsale" }, el("h2", { id: "onsale" }, "On-sale and waiting room"), onSale));

  let tierIds = "";
  let onSaleShown;
  let timer = null;
  let running = false;

  async function refresh(rebuild = false) {
    if (current !== view || running) {
      return;
    }

    running = true;
    try {
      const [latest, sale, ready] = await Promise.all([
        api("GET", `/api/events/${event.id}`),
        api("GET", `/api/events/${event.id}/onsale`).catch((problem) => {
          if (problem instanceof Problem && problem.status === 404) {
            return null;
          }

          throw problem;
        }),
        api("GET", `/api/ops/readiness?eventId=${event.id}`),
      ]);
      if (current !== view) {
        return;
      }

      show(liveProblem);
      const ids = latest.tiers.map((tier) => tier.id).join();
      if (rebuild || ids !== tierIds) {
        tierIds = ids;
        show(sales, tiersTable(latest.tiers, (saved) => updateTiers(sales, [saved])));
      } else {
        updateTiers(sales, latest.tiers);
      }

      show(readiness, readinessCard(ready[0]));
      const saleKey = JSON.stringify(sale && { ...sale, waiting: 0, admitted: 0 });
      if (rebuild || saleKey !== onSaleShown) {
        onSaleShown = saleKey;
        show(onSale, onSaleCard(event, sale, () => refresh(true)));
      } else {
        updateOnSale(onSale, sale);
      }

      updated.textContent = `Updated ${time(new Date().toISOString())}`;
    } catch (problem) {
      if (current === view) {
        // Figures stay as last read; the problem says why they are not moving.
        show(liveProblem, trouble(problem, () => refresh(true)));
        if (problem instanceof Problem && problem.retryAfter) {
          schedule(problem.retryAfter * 1000);
          return;
        }
      }
    } finally {
      running = false;
    }

    schedule(REFRESH_MS);
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (current === view && document.visibilityState === "visible") {
      timer = setTimeout(refresh, ms);
    }
  }

  const wake = () => {
    if (document.visibilityState === "visible") {
      refresh();
    } else {
      clearTimeout(timer);
    }
  };
  document.addEventListener("console:visibility", wake);
  stopRefresh = () => {
    clearTimeout(timer);
    document.removeEventListener("console:visibility", wake);
  };
  await refresh(true);
}

function tiersTable(tiers, saved) {
  if (tiers.length === 0) {
    return el("div", { class: "notice notice-info", "data-state": "no-tiers" }, el("p", {}, "No tiers yet: add one below to start selling."));
  }

  return el("div", { class: "table-scroll" }, el("table", { "data-list": "tiers" },
    el("caption", { class: "visually-hidden" }, "Tickets of each tier: capacity, held, issued and available"),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Tier"), el("th", { scope: "col" }, "Price"), el("th", { scope: "col", class: "num" }, "Capacity"),
      el("th", { scope: "col", class: "num" }, "Held"), el("th", { scope: "col", class: "num" }, "Issued"),
      el("th", { scope: "col", class: "num" }, "Available"), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
    el("tbody", {}, tiers.map((tier) => tierRow(tier, saved)))));
}

function tierRow(tier, saved) {
  const form = capacityForm(tier, saved);
  const toggle = el("button", {
    type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": `capacity-${tier.id}`,
    onclick: () => {
      const open = form.hidden;
      form.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) {
        form.querySelector("input").focus();
      }
    },
  }, "Change capacity");
  return el("tr", { "data-tier": tier.id },
    el("th", { scope: "row" }, tier.name, el("div", { class: "muted small" }, `up to ${tier.maxPerOrder} an order`)),
    el("td", {}, money(tier.priceCents, tier.currency)),
    el("td", { class: "num", "data-field": "capacity" }, String(tier.capacity)),
    el("td", { class: "num", "data-field": "reserved" }, String(tier.reserved)),
    el("td", { class: "num", "data-field": "issued" }, String(tier.issued)),
    el("td", { class: "num", "data-field": "available" }, availability(tier)),
    el("td", {}, toggle, form));
}

function availability(tier) {
  return tier.available > 0 ? String(tier.available) : el("span", { class: "badge badge-bad" }, "Sold out");
}

function updateTiers(container, tiers) {
  for (const tier of tiers) {
    const row = container.querySelector(`[data-tier="${tier.id}"]`);
    if (!row) {
      continue;
    }

    for (const name of ["capacity", "reserved", "issued"]) {
      row.querySelector(`[data-field="${name}"]`).textContent = String(tier[name]);
    }

    show(row.querySelector('[data-field="available"]'), availability(tier));
  }
}

function capacityForm(tier, saved) {
  const status = el("div", { "aria-live": "polite" });
  const id = `capacity-${tier.id}`;
  const form = el("form", { id, class: "inline-form", hidden: true, novalidate: true },
    el("label", { for: `${id}-input` }, `New capacity of ${tier.name}`),
    el("input", { id: `${id}-input`, name: "capacity", type: "number", min: 0, max: 1000000, step: 1, inputmode: "numeric", value: tier.capacity, required: true }),
    el("p", { class: "muted small" }, `At least the ${tier.reserved + tier.issued} held and issued now.`),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Save capacity")),
    status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const capacity = Number(form.capacity.value);
    if (invalid(form, status, Number.isInteger(capacity) && capacity >= 0 && capacity <= 1000000 && form.capacity.value !== ""
      ? [] : [[`${id}-input`, "Capacity is a whole number from 0 to 1,000,000."]])) {
      return;
    }

    await submitting(form, status, "Saving…", async () => {
      try {
        const changed = await api("PATCH", `/api/tiers/${tier.id}`, { capacity });
        saved(changed);
        show(status, el("div", { class: "notice notice-ok", role: "status", "data-state": "capacity-saved" },
          el("p", {}, `Capacity of ${changed.name} is now ${changed.capacity}: ${changed.available} available.`)));
      } catch (problem) {
        if (problem instanceof Problem && problem.code === "capacity-below-committed") {
          show(status, el("div", { class: "notice notice-error", role: "alert", "data-problem": problem.code },
            el("p", {}, "The capacity can't go below the tickets already held by buyers and issued."),
            el("p", {}, problem.message),
            el("p", {}, "Held tickets return to sale when their holds lapse (15 minutes at most); issued tickets only by a refund.")));
          return;
        }

        throw problem;
      }
    });
  });
  return form;
}

function addTierForm(event, added) {
  const status = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "card", "aria-labelledby": "add-tier", novalidate: true },
    el("h2", { id: "add-tier" }, "Add a tier"),
    field("tier-name", "Name", el("input", { id: "tier-name", name: "name", required: true, maxlength: 100, autocomplete: "off" }), "For example: General admission."),
    el("div", { class: "fields" },
      field("tier-price", "Price", el("input", { id: "tier-price", name: "price", required: true, inputmode: "decimal", autocomplete: "off", placeholder: "25.00" })),
      field("tier-currency", "Currency", el("select", { id: "tier-currency", name: "currency" },
        CURRENCIES.map((code) => el("option", { value: code }, code.toUpperCase())))),
      field("tier-capacity", "Capacity", el("input", { id: "tier-capacity", name: "capacity", type: "number", min: 0, max: 1000000, step: 1, inputmode: "numeric", required: true })),
      field("tier-max", "Tickets an order (optional)", el("input", { id: "tier-max", name: "maxPerOrder", type: "number", min: 1, max: 100, step: 1, inputmode: "numeric", placeholder: "10" }))),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Add tier")),
    status);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const priceCents = cents(form.price.value);
    const capacity = Number(form.capacity.value);
    const maxPerOrder = form.maxPerOrder.value === "" ? undefined : Number(form.maxPerOrder.value);
    const errors = [];
    if (!form.name.value.trim()) {
      errors.push(["tier-name", "Give the tier a name."]);
    }

    if (priceCents === null) {
      errors.push(["tier-price", "Give the price as an amount such as 25 or 25.50 (at most 999,999.99)."]);
    }

    if (form.capacity.value === "" || !Number.isInteger(capacity) || capacity < 0 || capacity > 1000000) {
      errors.push(["tier-capacity", "Capacity is a whole number from 0 to 1,000,000."]);
    }

    if (maxPerOrder !== undefined && (!Number.isInteger(maxPerOrder) || maxPerOrder < 1 || maxPerOrder > 100)) {
      errors.push(["tier-max", "Tickets an order is a whole number from 1 to 100."]);
    }

    if (invalid(form, status, errors)) {
      return;
    }

    await submitting(form, status, "Adding the tier…", async () => {
      const tier = await api("POST", `/api/events/${event.id}/tiers`, {
        name: form.name.value.trim(), priceCents, currency: form.currency.value, capacity, maxPerOrder,
      });
      form.reset();
      show(status, el("div", { class: "notice notice-ok", role: "status" }, el("p", {}, `Tier ${tier.name} added: ${tier.capacity} at ${money(tier.priceCents, tier.currency)}.`)));
      added();
    });
  });
  return form;
}

/** "25", "25.5", "25,50" → 2550; null for anything else or more than the API's highest price. */
function cents(text) {
  const match = /^\s*(\d{1,6})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) {
    return null;
  }

  return Number(match[1]) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}

function readinessCard(readiness) {
  if (!readiness) {
    return el("p", { class: "muted" }, "Readiness is checked for upcoming events only.");
  }

  const [label, tone, words] = READINESS[readiness.status] ?? [readiness.status, "warn", ""];
  return el("div", { class: "card", "data-readiness": readiness.status },
    el("p", {}, el("span", { class: `badge badge-${tone}` }, label), " ", words),
    el("ul", { class: "checks" }, CHECKS.map(([key, good, bad]) => {
      const passed = readiness.checks[key];
      return el("li", { class: passed ? "check-ok" : "check-bad" },
        el("span", { "aria-hidden": "true" }, passed ? "✓ " : "✗ "),
        el("span", { class: "visually-hidden" }, passed ? "Passed: " : "Failed: "),
        passed ? good : bad);
    })),
    el("p", { class: "muted" },
      `In all: ${readiness.totals.capacity} tickets, ${readiness.totals.sold} sold, ${readiness.totals.reserved} held, ${readiness.totals.available} available.`));
}

function onSaleCard(event, sale, changed) {
  const status = el("div", { "aria-live": "polite" });
  const summary = sale
    ? el("div", { class: "card", "data-onsale": sale.status },
      el("p", {}, el("span", { class: `badge badge-${sale.status === "open" ? "ok" : "warn"}`, "data-field": "onsale-status" }, sale.status === "open" ? "Open" : "Scheduled"), " ",
        sale.status === "open" ? `Opened ${dateTime(sale.opensAt)}: buyers are admitted from the waiting room.` : `Opens ${dateTime(sale.opensAt)}. Buyers who join before then are admitted in a random order.`),
      el("dl", { class: "facts" },
        fact("Admitted a minute", String(sale.admitPerMinute)),
        fact("Minutes to buy once admitted", String(sale.passMinutes)),
        fact("Tickets a buyer, all tiers", sale.maxPerBuyer === null ? "No cap beyond each tier's" : String(sale.maxPerBuyer)),
        fact("Waiting", String(sale.waiting), "waiting"),
        fact("Admitted", String(sale.admitted), "admitted")))
    : el("div", { class: "notice notice-info", "data-onsale": "none" },
      el("p", {}, "No on-sale: anyone can buy as soon as a tier exists, with no waiting room."),
      el("p", {}, "For a rush, set an on-sale: buyers then queue in a waiting room and are admitted at the rate you set."));

  const opensAt = el("input", { id: "onsale-opens", name: "opensAt", type: "datetime-local", required: true, value: sale ? localInput(sale.opensAt) : "", disabled: sale?.status === "open" });
  const form = el("form", { class: "card", "aria-labelledby": "onsale-form", novalidate: true },
    el("h3", { id: "onsale-form" }, sale ? "Change the on-sale" : "Set an on-sale"),
    field("onsale-opens", "Opens at", opensAt,
      sale?.status === "open" ? "It is open: the opening can no longer move." : `In your time zone (${zoneName()}).`),
    el("div", { class: "fields" },
      field("onsale-rate", "Buyers admitted a minute", el("input", { id: "onsale-rate", name: "admitPerMinute", type: "number", min: 1, max: 1000000, step: 1, inputmode: "numeric", required: true, value: sale?.admitPerMinute ?? "" })),
      field("onsale-pass", "Minutes to buy once admitted", el("input", { id: "onsale-pass", name: "passMinutes", type: "number", min: 1, max: 1440, step: 1, inputmode: "numeric", value: sale?.passMinutes ?? "", placeholder: "10" })),
      field("onsale-cap", "Tickets a buyer (optional)", el("input", { id: "onsale-cap", name: "maxPerBuyer", type: "number", min: 1, max: 1000, step: 1, inputmode: "numeric", value: sale?.maxPerBuyer ?? "" }))),
    el("div", { class: "row" },
      el("button", { type: "submit" }, sale ? "Save on-sale" : "Set on-sale"),
      sale ? el("button", { type: "button", class: "danger", onclick: () => confirmRemoval() }, "Remove on-sale") : null),
    status);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const admitPerMinute = Number(form.admitPerMinute.value);
    const passMinutes = form.passMinutes.value === "" ? undefined : Number(form.passMinutes.value);
    const maxPerBuyer = form.maxPerBuyer.value === "" ? undefined : Number(form.maxPerBuyer.value);
    const errors = [];
    if (!opensAt.disabled && !opensAt.value) {
      errors.push(["onsale-opens", "Give the date and time the on-sale opens."]);
    }

    if (form.admitPerMinute.value === "" || !Number.isInteger(admitPerMinute) || admitPerMinute < 1 || admitPerMinute > 1000000) {
      errors.push(["onsale-rate", "Buyers admitted a minute is a whole number from 1 to 1,000,000."]);
    }

    if (passMinutes !== undefined && (!Number.isInteger(passMinutes) || passMinutes < 1 || passMinutes > 1440)) {
      errors.push(["onsale-pass", "Minutes to buy is a whole number from 1 to 1,440."]);
    }

    if (maxPerBuyer !== undefined && (!Number.isInteger(maxPerBuyer) || maxPerBuyer < 1 || maxPerBuyer > 1000)) {
      errors.push(["onsale-cap", "Tickets a buyer is a whole number from 1 to 1,000, or empty for no cap."]);
    }

    if (invalid(form, status, errors)) {
      return;
    }

    await submitting(form, status, "Saving the on-sale…", async () => {
      try {
        const saved = await api("PUT", `/api/events/${event.id}/onsale`, {
          opensAt: opensAt.disabled ? sale.opensAt : new Date(opensAt.value).toISOString(), admitPerMinute, passMinutes, maxPerBuyer,
        });
        say(`On-sale ${saved.status === "open" ? "open" : `scheduled for ${dateTime(saved.opensAt)}`}, ${saved.admitPerMinute} admitted a minute.`);
        changed();
      } catch (problem) {
        if (problem instanceof Problem && problem.code === "onsale-open") {
          show(status, el("div", { class: "notice notice-error", role: "alert", "data-problem": problem.code },
            el("p", {}, "The on-sale has opened, so its opening time can no longer change."),
            el("p", {}, "The rate, the minutes to buy and the cap a buyer can still change. Reload to see it as it is."),
            el("button", { type: "button", class: "secondary", onclick: changed }, "Reload the on-sale")));
          return;
        }

        throw problem;
      }
    });
  });

  function confirmRemoval() {
    const box = el("div", { class: "notice notice-warn", role: "alertdialog", "aria-labelledby": "remove-title", "aria-describedby": "remove-words" },
      el("p", { id: "remove-title" }, el("strong", {}, "Remove the on-sale?")),
      el("p", { id: "remove-words" }, "The waiting room closes and anyone can buy at once, without a queue."),
      el("div", { class: "row" },
        el("button", {
          type: "button", class: "danger",
          onclick: () => submitting(form, status, "Removing…", async () => {
            await api("DELETE", `/api/events/${event.id}/onsale`);
            say("On-sale removed: the event sells without a queue.");
            changed();
          }),
        }, "Yes, remove it"),
        el("button", { type: "button", class: "secondary", onclick: () => { show(status); form.querySelector(".danger").focus(); } }, "Keep it")));
    show(status, box);
    box.querySelector("button").focus();
  }

  return el("div", {}, summary, form);
}

function updateOnSale(container, sale) {
  for (const name of ["waiting", "admitted"]) {
    const cell = container.querySelector(`[data-field="${name}"]`);
    if (cell && sale) {
      cell.textContent = String(sale[name]);
    }
  }
}

// ----- Orders -------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function ordersView(current, query) {
  const status = el("div", { "aria-live": "polite" });
  const results = el("div", {});
  const input = el("input", { id: "order-query", name: "q", type: "search", value: query, autocomplete: "off", spellcheck: "false", required: true, "aria-describedby": "order-query-hint" });
  const form = el("form", { class: "card", role: "search", "aria-labelledby": "find-order", novalidate: true },
    el("h2", { id: "find-order" }, "Find an order"),
    el("label", { for: "order-query" }, "Buyer's e-mail address or order number"),
    input,
    el("p", { class: "muted small", id: "order-query-hint" }, "The address the buyer gave at checkout (any capitals), or the order's number from its confirmation."),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Find")),
    status);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (UUID.test(text)) {
      location.hash = `#/order/${text.toLowerCase()}`;
    } else if (!text.includes("@")) {
      invalid(form, status, [["order-query", "Enter an e-mail address (with an @) or an order number (like 0193a5c2-…)."]]);
    } else {
      location.hash = `#/orders?q=${encodeURIComponent(text)}`;
    }
  });

  render(current, el("h1", {}, "Orders"), form, results);
  if (query && query.includes("@")) {
    await findByEmail(current, query, results);
  }
}

async function findByEmail(current, email, results) {
  show(results, el("p", { class: "muted", "aria-busy": "true" }, "Searching…"));
  let found;
  try {
    found = await api("GET", `/api/orders?email=${encodeURIComponent(email)}`);
  } catch (problem) {
    if (current === view) {
      show(results, trouble(problem, route));
    }

    return;
  }

  if (current !== view) {
    return;
  }

  if (found.length === 0) {
    show(results, el("div", { class: "notice notice-info", role: "status", "data-state": "no-orders" },
      el("p", {}, `No order of your events has the address ${email}.`),
      el("p", {}, "Check the spelling, or ask the buyer for the order number in their confirmation. A buyer whose data was erased can only be found by order number.")));
    return;
  }

  show(results, el("section", { "aria-labelledby": "found" },
    el("h2", { id: "found" }, `${found.length} ${found.length === 1 ? "order" : "orders"} for ${email}`),
    found.length === 50 ? el("p", { class: "muted" }, "The 50 newest are shown.") : null,
    el("div", { class: "table-scroll" }, el("table", { "data-list": "orders" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Order"), el("th", { scope: "col" }, "Event"), el("th", { scope: "col" }, "Buyer"),
        el("th", { scope: "col" }, "Status"), el("th", { scope: "col", class: "num" }, "Tickets"), el("th", { scope: "col", class: "num" }, "Total"),
        el("th", { scope: "col" }, "Placed"))),
      el("tbody", {}, found.map((order) => el("tr", { "data-order": order.id },
        el("th", { scope: "row" }, el("a", { href: `#/order/${order.id}` }, shortId(order.id))),
        el("td", {}, order.eventTitle),
        el("td", {}, order.contactName ?? "—", el("div", { class: "muted small" }, order.contactEmail)),
        el("td", {}, statusBadge(order.status)),
        el("td", { class: "num" }, String(order.quantity)),
        el("td", { class: "num" }, money(order.totalCents, order.currency)),
        el("td", {}, dateTime(order.createdAt)))))))));
  say(`${found.length} ${found.length === 1 ? "order" : "orders"} found.`);
}

const shortId = (id) => id.slice(0, 8);

function statusBadge(status) {
  const [label, tone] = ORDER_STATUS[status] ?? [status, "warn"];
  return el("span", { class: `badge badge-${tone}`, "data-status": status }, label);
}

async function orderView(current, orderId) {
  loading(current, "Order");
  if (!UUID.test(orderId ?? "")) {
    render(current, el("h1", {}, "Order"), notFound("order"));
    return;
  }

  let order;
  let tickets;
  let event;
  try {
    [order, tickets] = await Promise.all([api("GET", `/api/orders/${orderId}`), api("GET", `/api/orders/${orderId}/tickets`)]);
    event = await api("GET", `/api/events/${order.eventId}`);
  } catch (problem) {
    render(current, el("h1", {}, "Order"), problem instanceof Problem && problem.status === 404 ? notFound("order") : trouble(problem, route));
    return;
  }

  const tierNames = new Map(event.tiers.map((tier) => [tier.id, tier.name]));
  const price = new Map(order.items.map((item) => [item.tierId, item.unitPriceCents]));
  const status = el("div", { "aria-live": "polite", id: "order-status-area" });
  const summary = el("div", {});
  const ticketList = el("div", {});

  render(current,
    el("p", { class: "no-print" }, el("a", { href: "#/orders" }, "← Find another order")),
    el("h1", {}, `Order ${shortId(order.id)}`),
    summary,
    el("section", { "aria-labelledby": "tickets" }, el("h2", { id: "tickets" }, "Tickets"), ticketList),
    status);
  draw();

  function draw() {
    show(summary, el("div", { class: "card", "data-order": order.id },
      el("p", {}, statusBadge(order.status), " ", ORDER_STATUS[order.status]?.[2] ?? ""),
      el("dl", { class: "facts" },
        fact("Event", `${event.title}, ${dateTime(event.startsAt)}`),
        fact("Order number", order.id),
        fact("Total", money(order.totalCents, order.currency)),
        fact("Placed", dateTime(order.createdAt)),
        order.paidAt ? fact("Paid", dateTime(order.paidAt)) : null,
        order.refundedCents > 0 ? fact("Refunded", money(order.refundedCents, order.currency), "refunded") : null,
        order.refundPendingCents > 0 ? fact("Refund asked of Stripe", money(order.refundPendingCents, order.currency), "pending") : null)));

    const pending = new Set(order.refundPendingTicketIds);
    const refundable = tickets.filter((ticket) => ticket.status === "issued" && !pending.has(ticket.id));
    const canRefund = ["fulfilled", "partially_refunded"].includes(order.status) && refundable.length > 0;
    const table = el("div", { class: "table-scroll" }, el("table", { "data-list": "tickets" },
      el("thead", {}, el("tr", {},
        canRefund ? el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Select to refund")) : null,
        el("th", { scope: "col" }, "Ticket"), el("th", { scope: "col" }, "Tier"), el("th", { scope: "col" }, "Status"),
        el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
      el("tbody", {}, tickets.map((ticket) => {
        const [label, tone] = pending.has(ticket.id) ? ["Refund pending", "warn"] : TICKET_STATUS[ticket.status] ?? [ticket.status, "warn"];
        const name = `#${ticket.sequenceNumber} ${tierNames.get(ticket.tierId) ?? "Tier"}`;
        return el("tr", { "data-ticket": ticket.id },
          canRefund ? el("td", {}, refundable.includes(ticket)
            ? el("input", { type: "checkbox", name: "ticket", value: ticket.id, id: `pick-${ticket.id}`, "aria-label": `Refund ticket ${name}` })
            : null) : null,
          el("th", { scope: "row" }, `#${ticket.sequenceNumber}`),
          el("td", {}, tierNames.get(ticket.tierId) ?? "—"),
          el("td", {}, el("span", { class: `badge badge-${tone}`, "data-status": ticket.status }, label)),
          el("td", {}, ticket.status === "issued" && !pending.has(ticket.id)
            ? el("button", { type: "button", class: "secondary", onclick: () => confirmReissue(ticket, name) }, "New code")
            : null));
      }))));

    const actions = canRefund
      ? el("div", { class: "row no-print" },
        el("button", { type: "button", class: "danger", onclick: () => confirmRefund(null) }, refundable.length === tickets.length ? "Refund the whole order" : "Refund every remaining ticket"),
        refundable.length > 1 ? el("button", { type: "button", class: "secondary", onclick: () => confirmRefund(picked()) }, "Refund selected tickets") : null)
      : el("p", { class: "muted" }, order.refundPendingCents > 0
        ? "A refund is with Stripe; the tickets end when Stripe confirms it."
        : refundable.length === 0 && tickets.length > 0 ? "No ticket is left to refund." : "Only a fulfilled order can be refunded.");
    show(ticketList, tickets.length ? table : el("p", { class: "muted" }, "No tickets: they are issued once the order is paid."), actions);

    function picked() {
      return [...ticketList.querySelectorAll('input[name="ticket"]:checked')].map((box) => box.value);
    }

    function confirmRefund(ticketIds) {
      if (ticketIds && ticketIds.length === 0) {
        show(status, el("div", { class: "notice notice-warn", role: "alert" }, el("p", {}, "Select the tickets to refund first.")));
        return;
      }

      const chosen = ticketIds ? refundable.filter((ticket) => ticketIds.includes(ticket.id)) : refundable;
      const amount = chosen.reduce((sum, ticket) => sum + (price.get(ticket.tierId) ?? 0), 0);
      const box = el("div", { class: "notice notice-warn", role: "alertdialog", "aria-labelledby": "refund-title", "aria-describedby": "refund-words", "data-state": "confirm-refund" },
        el("p", { id: "refund-title" }, el("strong", {}, `Refund ${chosen.length} ${chosen.length === 1 ? "ticket" : "tickets"}, ${money(amount, order.currency)}?`)),
        el("p", { id: "refund-words" }, "The money goes back to the buyer's card and these tickets stop admitting at the gate. Their seats go back on sale. This cannot be undone."),
        el("div", { class: "row" },
          el("button", { type: "button", class: "danger", onclick: () => refund(ticketIds) }, "Yes, refund"),
          el("button", { type: "button", class: "secondary", onclick: () => { show(status); ticketList.querySelector("button.danger")?.focus(); } }, "Cancel")));
      show(status, box);
      box.querySelector("button").focus();
    }

    function confirmReissue(ticket, name) {
      const box = el("div", { class: "notice notice-warn", role: "alertdialog", "aria-labelledby": "reissue-title", "aria-describedby": "reissue-words" },
        el("p", { id: "reissue-title" }, el("strong", {}, `Give ticket ${name} a new code?`)),
        el("p", { id: "reissue-words" }, "For a code that was shared or stolen: the old code stops admitting at once, and the buyer's ticket shows the new one."),
        el("div", { class: "row" },
          el("button", { type: "button", onclick: () => reissue(ticket, name) }, "Yes, new code"),
          el("button", { type: "button", class: "secondary", onclick: () => show(status) }, "Cancel")));
      show(status, box);
      box.querySelector("button").focus();
    }
  }

  async function refund(ticketIds) {
    show(status, el("p", { class: "muted", "aria-busy": "true" }, "Asking Stripe for the refund…"));
    try {
      order = await api("POST", `/api/orders/${order.id}/refund`, ticketIds ? { ticketIds } : {});
    } catch (problem) {
      show(status, refundProblem(problem));
      return;
    }

    draw();
    show(status, el("div", { class: "notice notice-info", role: "status", "data-state": "refund-pending" },
      el("p", {}, `Refund of ${money(order.refundPendingCents, order.currency)} asked of Stripe. Waiting for Stripe to confirm it…`)));
    await waitForRefund();
  }

  async function waitForRefund() {
    const until = Date.now() + 120_000;
    while (current === view && order.refundPendingCents > 0 && Date.now() < until) {
      try {
        const before = order.status;
        // Short waits: a refund of some tickets of a partly refunded order ends without a change of status.
        const seen = await api("GET", `/api/orders/${order.id}?waitWhile=${before}&waitSeconds=5`);
        order = seen;
        if (order.refundPendingCents > 0 && order.status === before) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      } catch (problem) {
        if (!(problem instanceof Problem) || ![0, 429, 503].includes(problem.status)) {
          show(status, trouble(problem, () => waitForRefund()));
          return;
        }

        await new Promise((resolve) => setTimeout(resolve, (problem.retryAfter ?? 2) * 1000));
      }
    }

    if (current !== view) {
      return;
    }

    if (order.refundPendingCents > 0) {
      show(status, el("div", { class: "notice notice-warn", role: "status", "data-state": "refund-slow" },
        el("p", {}, "Stripe has not confirmed the refund yet. It completes on its own; reload this order later to see it.")));
      return;
    }

    tickets = await api("GET", `/api/orders/${order.id}/tickets`).catch(() => tickets);
    draw();
    show(status, el("div", { class: "notice notice-ok", role: "status", "data-state": "refunded" },
      el("p", {}, `Refunded: ${money(order.refundedCents, order.currency)} back to the buyer. The order is now ${ORDER_STATUS[order.status]?.[0].toLowerCase() ?? order.status}.`)));
  }

  async function reissue(ticket, name) {
    show(status, el("p", { class: "muted", "aria-busy": "true" }, "Issuing a new code…"));
    try {
      await api("POST", `/api/tickets/${ticket.id}/reissue`);
    } catch (problem) {
      show(status, problem instanceof Problem && problem.code === "ticket-not-valid"
        ? el("div", { class: "notice notice-error", role: "alert", "data-problem": problem.code },
          el("p", {}, "Only a valid ticket gets a new code: this one was refunded or voided."))
        : trouble(problem, () => reissue(ticket, name)));
      return;
    }

    show(status, el("div", { class: "notice notice-ok", role: "status", "data-state": "reissued" },
      el("p", {}, `Ticket ${name} has a new code. The old one no longer admits; the buyer's ticket shows the new one.`)));
  }

  function refundProblem(problem) {
    if (problem instanceof Problem && problem.code === "order-state") {
      return el("div", { class: "notice notice-error", role: "alert", "data-problem": problem.code },
        el("p", {}, "This order can't be refunded now: it is not fulfilled, or nothing is left to refund."), el("p", {}, problem.message),
        el("button", { type: "button", class: "secondary", onclick: route }, "Reload the order"));
    }

    if (problem instanceof Problem && problem.code === "payment-provider-unavailable") {
      return el("div", { class: "notice notice-error", role: "alert", "data-problem": problem.code },
        el("p", {}, "Stripe could not be reached, so nothing was refunded. Try again in a moment."));
    }

    return trouble(problem, route);
  }
}

function notFound(what) {
  return el("div", { class: "notice notice-error", role: "alert", "data-problem": "not-found" },
    el("p", {}, `No such ${what} among your organization's events.`),
    el("p", {}, what === "order" ? el("a", { href: "#/orders" }, "Find an order") : el("a", { href: "#/events" }, "See your events")));
}

// ----- Operations ---------------------------------------------------------

async function operations(current) {
  const alerts = el("div", {}, el("p", { class: "muted", "aria-busy": "true" }, "Loading…"));
  const reconciliation = el("div", {}, el("p", { class: "muted", "aria-busy": "true" }, "Loading…"));
  const tools = el("div", {});
  const readiness = el("div", {}, el("p", { class: "muted", "aria-busy": "true" }, "Loading…"));
  render(current,
    el("h1", {}, "Operations"),
    el("section", { "aria-labelledby": "alerts" },
      el("div", { class: "spread" }, el("h2", { id: "alerts" }, "Alerts"),
        el("button", { type: "button", class: "secondary", onclick: () => loadAlerts() }, "Evaluate again")),
      alerts),
    el("section", { "aria-labelledby": "reconciliation" }, el("h2", { id: "reconciliation" }, "Reconciliation"), reconciliation),
    el("section", { "aria-labelledby": "readiness-all" }, el("h2", { id: "readiness-all" }, "Readiness of upcoming events"), readiness),
    el("section", { "aria-labelledby": "tools" }, el("h2", { id: "tools" }, "Tools"), tools));

  async function loadAlerts() {
    try {
      const states = await api("GET", "/api/ops/alerts");
      if (current === view) {
        show(alerts, alertsTable(states));
      }
    } catch (problem) {
      show(alerts, trouble(problem, loadAlerts));
    }
  }

  async function loadReconciliation(runNow = false) {
    show(reconciliation, el("p", { class: "muted", "aria-busy": "true" }, runNow ? "Reconciling: comparing every tier, order and payment…" : "Loading…"));
    let report = null;
    try {
      report = runNow ? await api("POST", "/api/ops/reconciliation") : await api("GET", "/api/ops/reconciliation/latest");
    } catch (problem) {
      if (!(problem instanceof Problem && problem.status === 404)) {
        show(reconciliation, trouble(problem, () => loadReconciliation(runNow)));
        return;
      }
    }

    if (current !== view) {
      return;
    }

    show(reconciliation, reconciliationCard(report, () => loadReconciliation(true)));
    if (runNow) {
      say("Reconciliation finished.");
      loadAlerts();
    }
  }

  async function loadReadiness() {
    try {
      const events = await api("GET", "/api/ops/readiness");
      if (current === view) {
        show(readiness, events.length === 0
          ? el("p", { class: "muted" }, "No upcoming events.")
          : el("div", { class: "table-scroll" }, el("table", { "data-list": "readiness" },
            el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Event"), el("th", { scope: "col" }, "Starts"), el("th", { scope: "col" }, "Status"),
              el("th", { scope: "col", class: "num" }, "Sold"), el("th", { scope: "col", class: "num" }, "Capacity"))),
            el("tbody", {}, events.map((event) => {
              const [label, tone] = READINESS[event.status] ?? [event.status, "warn"];
              return el("tr", {},
                el("th", { scope: "row" }, event.title), el("td", {}, dateTime(event.startsAt)),
                el("td", {}, el("span", { class: `badge badge-${tone}` }, label)),
                el("td", { class: "num" }, String(event.totals.sold)), el("td", { class: "num" }, String(event.totals.capacity)));
            })))));
      }
    } catch (problem) {
      show(readiness, trouble(problem, loadReadiness));
    }
  }

  async function loadTools() {
    try {
      const links = await api("GET", "/api/ops/links");
      show(tools, el("ul", { class: "tools" },
        el("li", {}, el("a", { href: links.dashboard }, "Orleans dashboard"), " — the silos, their grains and calls."),
        el("li", {}, links.grafana
          ? [el("a", { href: links.grafana, rel: "noopener" }, "Grafana"), " — request rates, latencies and the alerts over time."]
          : "Grafana: no address is configured (Ticketing:Operations:GrafanaUrl; docker compose sets it).")));
    } catch (problem) {
      show(tools, trouble(problem, loadTools));
    }
  }

  await Promise.all([loadAlerts(), loadReconciliation(), loadReadiness(), loadTools()]);
}

function alertsTable(states) {
  const firing = states.filter((state) => state.firing);
  return el("div", {},
    firing.length === 0
      ? el("div", { class: "notice notice-ok", role: "status", "data-state": "quiet" }, el("p", {}, "No alert is firing."))
      : el("div", { class: "notice notice-error", role: "alert", "data-state": "firing" },
        el("p", {}, `${firing.length} ${firing.length === 1 ? "alert is" : "alerts are"} firing: ${firing.map((state) => ALERTS[state.name] ?? state.name).join(", ")}.`)),
    el("div", { class: "table-scroll" }, el("table", { "data-list": "alerts" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Alert"), el("th", { scope: "col" }, "Severity"), el("th", { scope: "col" }, "State"),
        el("th", { scope: "col", class: "num" }, "Value"), el("th", { scope: "col", class: "num" }, "Fires above"), el("th", { scope: "col" }, "Runbook"))),
      el("tbody", {}, states.map((state) => el("tr", { "data-alert": state.name },
        el("th", { scope: "row" }, ALERTS[state.name] ?? state.name, el("div", { class: "muted small" }, el("code", {}, state.name))),
        el("td", {}, state.severity),
        el("td", {}, el("span", { class: `badge badge-${state.firing ? "bad" : "ok"}` }, state.firing ? "Firing" : "Quiet")),
        el("td", { class: "num" }, String(state.value)),
        el("td", { class: "num" }, String(state.threshold)),
        // The runbook is in the repository the silo was built from, not served by it.
        el("td", {}, el("code", {}, state.runbook))))))),
    el("p", { class: "muted small" }, states[0] ? `Evaluated ${dateTime(states[0].evaluatedAt)}.` : ""));
}

function reconciliationCard(report, runNow) {
  const run = el("button", { type: "button", onclick: runNow }, "Run a reconciliation now");
  if (!report) {
    return el("div", { class: "card", "data-state": "no-reconciliation" },
      el("p", {}, "No reconciliation has run yet. It runs once a day; run one now to compare tiers, orders and Stripe."), run);
  }

  const clean = report.tiers.length === 0 && report.ordersMissingTickets.length === 0 && report.revenue.mismatches.length === 0;
  return el("div", { class: "card", "data-state": clean ? "reconciled" : "differences" },
    el("p", {}, el("span", { class: `badge badge-${clean ? "ok" : "bad"}` }, clean ? "All agree" : "Differences found"), " ",
      `Run ${dateTime(report.startedAt)}, took ${Math.max(0, (new Date(report.finishedAt) - new Date(report.startedAt)) / 1000).toFixed(1)} s.`),
    el("dl", { class: "facts" },
      fact("Tiers whose counts drifted", String(report.tiers.length)),
      fact("Paid orders missing tickets", String(report.ordersMissingTickets.length)),
      fact("Orders compared with Stripe", String(report.revenue.orders), "compared"),
      fact("Money differing from Stripe", `${report.revenue.differenceCents} cents over ${report.revenue.mismatches.length} orders`)),
    report.repairs.length
      ? el("details", {}, el("summary", {}, `${report.repairs.length} repairs made`), el("ul", {}, report.repairs.map((line) => el("li", {}, line))))
      : el("p", { class: "muted" }, "Nothing needed repairing."),
    run);
}

// ----- Small helpers -------------------------------------------------------

function field(id, label, input, hint) {
  if (hint) {
    input.setAttribute("aria-describedby", `${id}-hint`);
  }

  return el("div", { class: "field" },
    el("label", { for: id }, label),
    input,
    hint ? el("p", { class: "muted small", id: `${id}-hint` }, hint) : null,
    el("p", { class: "field-error", id: `${id}-error`, hidden: true }));
}

function fact(term, value, name) {
  return el("div", {}, el("dt", {}, term), el("dd", name ? { "data-field": name } : {}, value));
}

/** Marks the fields in error with their messages; true when there was any (the first gets focus). */
function invalid(form, status, errors) {
  for (const message of form.querySelectorAll(".field-error")) {
    message.hidden = true;
    message.textContent = "";
  }

  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") ?? "").replace(/\S+-error/g, "").trim());
  }

  if (errors.length === 0) {
    show(status);
    return false;
  }

  for (const [id, message] of errors) {
    const input = form.querySelector(`#${CSS.escape(id)}`);
    const line = form.querySelector(`#${CSS.escape(id)}-error`);
    if (line) {
      line.textContent = message;
      line.hidden = false;
    }

    input?.setAttribute("aria-invalid", "true");
    input?.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") ?? ""} ${id}-error`.trim());
  }

  show(status, el("div", { class: "notice notice-error", role: "alert", "data-problem": "validation" },
    el("p", {}, errors.length === 1 ? errors[0][1] : "Some fields need attention:"),
    errors.length > 1 ? el("ul", {}, errors.map(([, message]) => el("li", {}, message))) : null));
  form.querySelector(`#${CSS.escape(errors[0][0])}`)?.focus();
  return true;
}

/** Runs a form's request with its buttons disabled and a message in its status; a problem is shown there. */
async function submitting(form, status, message, work) {
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach((button) => { button.disabled = true; });
  form.setAttribute("aria-busy", "true");
  show(status, el("p", { class: "muted" }, message));
  try {
    await work();
  } catch (problem) {
    show(status, trouble(problem, () => form.requestSubmit()));
  } finally {
    form.removeAttribute("aria-busy");
    buttons.forEach((button) => { button.disabled = false; });
  }
}

function localInput(iso) {
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

function zoneName() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local time";
}
