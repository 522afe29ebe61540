// The storefront at /: upcoming events, an event's tickets (/?event=<id>)
// and an order with its tickets (/?order=<id>, where the payment page sends
// the buyer back). One module per view; this one picks the view.
import { api, dateTime, el, header, money, problemBox, show } from "/app/common.js";
import { eventPath, isId, retrying } from "/app/storefront-shared.js";
import { eventPage } from "/app/storefront-event.js";
import { orderPage } from "/app/storefront-order.js";

const main = document.getElementById("main");
const query = new URLSearchParams(location.search);

// A page brought back by the browser's Back button shows a purchase as it
// was when the buyer left (before paying, say): read everything again.
addEventListener("pageshow", (event) => {
  if (event.persisted) {
    location.reload();
  }
});

// Without the session (no connection) the page still shows what anyone may see.
await header("Tickets", [["Events", "/"]]).catch(() => null);

if (query.has("order")) {
  await (isId(query.get("order")) ? orderPage(main, query.get("order"), query) : notFound("order"));
} else if (query.has("event")) {
  await (isId(query.get("event")) ? eventPage(main, query.get("event")) : notFound("event"));
} else {
  await upcomingEvents();
}

function notFound(what) {
  document.title = "Not found · Ticketing";
  show(main,
    el("h1", {}, `No such ${what}`),
    el("p", {}, `This link does not name an ${what} we know. `, el("a", { href: "/" }, "See the upcoming events"), "."));
}

async function upcomingEvents() {
  document.title = "Upcoming events · Ticketing";
  const heading = el("h1", {}, "Upcoming events");
  const waits = el("div", { role: "status" });
  show(main, heading, waits, el("p", { class: "muted" }, "Loading events…"));

  let events;
  try {
    events = await retrying(() => api("GET", "/api/events"), waits);
  } catch (problem) {
    show(main, heading, problemBox(problem), el("button", { type: "button", onclick: upcomingEvents }, "Try again"));
    return;
  }

  if (events.length === 0) {
    show(main, heading, el("div", { class: "card" }, el("p", {}, "No events are on sale yet. Check back soon.")));
    return;
  }

  show(main, heading, el("ul", { class: "grid events", "aria-label": "Events" }, events.map(eventCard)));
}

function eventCard(event) {
  const tiers = event.tiers ?? [];
  const cheapest = tiers.length ? tiers.reduce((low, tier) => (tier.priceCents < low.priceCents ? tier : low)) : null;
  const soldOut = tiers.length > 0 && tiers.every((tier) => tier.available <= 0);
  return el("li", { class: "card event" },
    el("h2", {}, el("a", { href: eventPath(event.id) }, event.title)),
    el("p", {}, el("time", { datetime: event.startsAt }, dateTime(event.startsAt))),
    event.venue ? el("p", { class: "muted" }, event.venue) : null,
    el("p", { class: "row" },
      cheapest ? el("span", {}, `From ${money(cheapest.priceCents, cheapest.currency)}`) : el("span", { class: "muted" }, "Tickets not on sale yet"),
      soldOut ? el("span", { class: "badge badge-bad" }, "Sold out") : null));
}
