// An event's page (/?event=<id>): its tiers with live availability, the
// waiting room when the event has an on-sale, the buyer's holds with their
// countdowns, and the contact form that places the order.
import { api, countdown, dateTime, el, money, problemBox, session, show, signIn, sleep, time } from "/app/common.js";
import { announcer, fromNow, newKey, orderPath, remembered, retrying, tickets } from "/app/storefront-shared.js";
import { startPayment } from "/app/storefront-order.js";

/** How often the tiers' availability is read again while the page is in view. */
const RefreshMs = 5000;

/** When a hold's countdown is read out once, in milliseconds before it runs out. */
const LastMinuteMs = 60_000;

/** A waiting page rests until this long before its turn, then long-polls. */
const NearTurnMs = 20_000;

/** A place taken this long after the opening is in arrival order, never drawn: its estimate holds from the start. */
const JoinedAfterOpeningMs = 2_000;

/** A waiting page rests at least this long, or not at all; and at most LongestRestMs. */
const ShortestRestMs = 10_000;
const LongestRestMs = 120_000;

/** The longest a poll asks the waiting room to wait. */
const LongPollMs = 20_000;

export async function eventPage(main, eventId) {
  await new EventPage(main, eventId).open();
}

class EventPage {
  constructor(main, eventId) {
    this.main = main;
    this.eventId = eventId;
    this.event = null;
    this.onSale = null; // the event's on-sale, or null when it sells without a waiting room
    this.me = null;
    this.queue = null; // the buyer's place in the waiting room, as last answered
    this.holds = new Map(); // tierId -> the buyer's live hold on that tier
    this.cards = new Map(); // tierId -> the tier's card and its controls
    this.holdTimers = new Map(); // holdId -> its countdown element
    this.warned = new Set(); // holds whose last minute was announced
    this.waiting = false; // the page is waiting in line: polling or resting
    this.lineMoved = false; // a waiting answer came nearer the front: the room has drawn its places
    // This page's own moment after the opening, 2 to 20 s, for the poll that reaches past it.
    this.afterOpeningMs = 2_000 + Math.random() * 18_000;
    this.refreshing = false;
    this.left = false; // off to payment: nothing more to update
    this.announcer = announcer();
  }

  get queuePath() {
    return `/api/events/${this.eventId}/queue`;
  }

  /** Live admission pass of this page's buyer, or null. */
  get pass() {
    const pass = this.queue?.status === "admitted" ? this.queue.pass : null;
    return pass && new Date(pass.expiresAt).getTime() > Date.now() ? pass : null;
  }

  async open() {
    const waits = el("div");
    show(this.main, el("p", { class: "muted" }, "Loading the event…"), waits);
    // A session that cannot be read (no connection) is shown as signed out; holding then asks to sign in.
    this.me = await session().catch(() => null);
    try {
      this.event = await retrying(() => api("GET", `/api/events/${this.eventId}`), waits);
      this.onSale = await this.readOnSale(waits);
    } catch (problem) {
      this.failed(problem);
      return;
    }

    document.title = `${this.event.title} · Ticketing`;
    this.layout();
    this.renderTiers();
    await Promise.all([this.restoreHolds(), this.unpaidOrder(), this.loadQueue()]);
    this.grantWish();

    setInterval(() => this.tick(), 1000);
    setInterval(() => !document.hidden && this.refresh(), RefreshMs);
    document.addEventListener("visibilitychange", () => !document.hidden && this.refresh());
  }

  failed(problem) {
    if (problem.status === 404) {
      document.title = "No such event · Ticketing";
      show(this.main, el("h1", {}, "No such event"),
        el("p", {}, "This event does not exist, or is no longer listed. ", el("a", { href: "/" }, "See the upcoming events"), "."));
      return;
    }

    show(this.main, el("h1", {}, "The event could not be loaded"), problemBox(problem),
      el("button", { type: "button", onclick: () => this.open() }, "Try again"));
  }

  async readOnSale(waits) {
    try {
      return await retrying(() => api("GET", `/api/events/${this.eventId}/onsale`), waits);
    } catch (problem) {
      if (problem.status === 404) {
        return null;
      }

      throw problem;
    }
  }

  layout() {
    const event = this.event;
    this.heading = el("h1", { tabindex: "-1" }, event.title);
    this.orderNotice = el("div");

    this.roomHeading = el("h2", { id: "room-title", tabindex: "-1" }, "Waiting room");
    this.roomNotice = el("div");
    this.roomStatus = el("p", { class: "room-status", role: "status", "aria-live": "polite" });
    this.roomBody = el("div");
    this.roomWaits = el("div");
    this.room = el("section", { class: "card room", "aria-labelledby": "room-title", hidden: true },
      this.roomHeading, this.roomNotice, this.roomStatus, this.roomBody, this.roomWaits);

    this.tierList = el("ul", { class: "tiers", "aria-label": "Ticket types" });
    this.updated = el("p", { class: "muted small" }, "Availability updates by itself.");
    this.buyerCap = el("p", { class: "muted" });
    const tiers = el("section", { class: "tickets", "aria-labelledby": "tiers-title" },
      el("h2", { id: "tiers-title" }, "Tickets"), this.buyerCap, this.tierList, this.updated);

    this.holdHeading = el("h2", { id: "holds-title", tabindex: "-1" }, "Your tickets on hold");
    this.holdNotice = el("div");
    this.holdList = el("ul", { class: "holds", "aria-label": "Held tickets" });
    this.holdWaits = el("div");
    this.contact = this.contactForm();
    this.holdSection = el("section", { class: "holding", "aria-labelledby": "holds-title", hidden: true },
      this.holdHeading, this.holdNotice, this.holdList, this.holdWaits, this.contact.form);

    show(this.main,
      el("p", { class: "back no-print" }, el("a", { href: "/" }, "All events")),
      this.heading,
      el("p", { class: "event-facts" },
        el("time", { datetime: event.startsAt }, dateTime(event.startsAt)),
        event.venue ? el("span", {}, ` · ${event.venue}`) : null),
      this.orderNotice, this.room, tiers, this.holdSection, this.announcer.region);
  }

  // --- Tiers and availability ----------------------------------------------

  tier(tierId) {
    return this.event.tiers.find((tier) => tier.id === tierId) ?? null;
  }

  /** Why this page's buyer cannot hold now (the waiting room), or null. */
  blocked() {
    if (!this.onSale || this.pass) {
      return null;
    }

    return this.queue?.status === "expired"
      ? "Your admission pass has run out: new holds are closed to you in this sale."
      : "You can hold tickets once the waiting room lets you in.";
  }

  /** The most this buyer may hold on <tier> now: holding again replaces their own hold, whose tickets count as theirs. */
  most(tier) {
    const held = this.holds.get(tier.id)?.quantity ?? 0;
    return Math.max(0, Math.min(tier.maxPerOrder, tier.available + held, this.onSale?.maxPerBuyer ?? Infinity));
  }

  renderTiers() {
    const tiers = this.event.tiers;
    this.buyerCap.textContent = this.onSale?.maxPerBuyer
      ? `Each buyer may have at most ${tickets(this.onSale.maxPerBuyer)} for this event.`
      : "";
    if (tiers.length === 0) {
      this.cards.clear();
      show(this.tierList, el("li", { class: "card" }, el("p", {}, "Tickets for this event are not on sale yet.")));
      return;
    }

    const same = tiers.length === this.cards.size && tiers.every((tier) => this.cards.has(tier.id));
    if (!same) {
      this.cards.clear();
      show(this.tierList, tiers.map((tier) => this.tierCard(tier)));
    }

    tiers.forEach((tier) => this.updateTier(tier));
  }

  tierCard(tier) {
    const select = el("select", { id: `quantity-${tier.id}`, name: "quantity" });
    const button = el("button", { type: "submit" }, "Hold tickets");
    const form = el("form", { class: "hold-form row", onsubmit: (event) => { event.preventDefault(); this.hold(tier.id); } },
      el("label", { for: select.id }, "How many", el("span", { class: "visually-hidden" }, ` ${tier.name} tickets`)),
      select, button);
    const card = {
      item: el("li", { class: "card tier", "data-tier": tier.id }),
      availability: el("p", { class: "availability" }),
      note: el("p", { class: "muted" }),
      message: el("div", { class: "tier-message" }),
      form, select, button,
    };
    card.item.append(
      el("div", { class: "spread" }, el("h3", {}, tier.name), el("span", { class: "price" }, money(tier.priceCents, tier.currency))),
      card.availability, form, card.note, card.message);
    this.cards.set(tier.id, card);
    return card.item;
  }

  updateTier(tier) {
    const card = this.cards.get(tier.id);
    const held = this.holds.get(tier.id);
    const most = this.most(tier);
    const blocked = this.blocked();

    show(card.availability,
      tier.available <= 0
        ? el("span", { class: "badge badge-bad" }, "Sold out")
        : tier.available <= 10
          ? el("span", { class: "badge badge-warn" }, `Only ${tier.available} left`)
          : el("span", {}, `${tier.available} of ${tier.capacity} left`),
      held ? el("span", { class: "badge badge-ok" }, `You hold ${held.quantity}`) : null);

    card.item.classList.toggle("sold-out", tier.available <= 0 && !held);
    card.form.hidden = most < 1 || blocked !== null;
    if (most >= 1 && card.select.options.length !== most) {
      const chosen = Number(card.select.value) || held?.quantity || 1;
      show(card.select, Array.from({ length: most }, (_, i) => el("option", { value: i + 1 }, String(i + 1))));
      card.select.value = String(Math.min(chosen, most));
    }

    // A refresh while the buyer's hold is on its way (or waiting out a 429) keeps the button saying so.
    card.button.textContent = card.holding ? "Holding…" : held ? "Change hold" : "Hold tickets";
    card.note.textContent = blocked
      ? blocked
      : most < 1
        ? "Sold out. Tickets held by others come back on sale if they are not paid for in time."
        : `Up to ${tier.maxPerOrder} per order.${this.me ? "" : " You will be asked to sign in."}`;
  }

  /** Reads availability again; a failed read leaves what is shown and says so. */
  async refresh() {
    if (this.refreshing || this.left) {
      return;
    }

    this.refreshing = true;
    try {
      this.event = await api("GET", `/api/events/${this.eventId}`);
      this.renderTiers();
      this.updated.textContent = `Availability as of ${time(new Date().toISOString())}; it updates by itself.`;
    } catch {
      this.updated.textContent = "Availability could not be updated just now: trying again in a few seconds.";
    } finally {
      this.refreshing = false;
    }
  }

  // --- Holding ---------------------------------------------------------------

  async hold(tierId) {
    const card = this.cards.get(tierId);
    const tier = this.tier(tierId);
    const quantity = Number(card.select.value);
    show(card.message);
    if (!this.me) {
      remembered.keepWish(this.eventId, tierId, quantity);
      signIn();
      return;
    }

    if (!this.me.roles.includes("buyer")) {
      show(card.message, notBuyer(this.me));
      return;
    }

    if (this.onSale && !this.pass) {
      await this.backToQueue("Your admission pass has run out, so new holds need the waiting room again.");
      return;
    }

    card.holding = true;
    card.button.disabled = true;
    card.button.textContent = "Holding…";
    const headers = { "Idempotency-Key": newKey() };
    if (this.pass) {
      headers["Admission-Pass"] = this.pass.token;
    }

    try {
      const hold = await retrying(() => api("POST", "/api/holds", { tierId, quantity }, headers), card.message);
      this.holds.set(tierId, hold);
      this.keepHolds();
      show(this.holdNotice);
      this.renderHolds();
      this.announcer.say(`${tickets(hold.quantity)} of ${tier.name} held for you until ${time(hold.expiresAt)}.`);
      this.holdHeading.focus();
    } catch (problem) {
      await this.holdRefused(problem, card, tier, quantity);
    } finally {
      card.holding = false;
      card.button.disabled = false;
      card.button.textContent = this.holds.has(tierId) ? "Change hold" : "Hold tickets";
      await this.refresh();
    }
  }

  async holdRefused(problem, card, tier, quantity) {
    switch (problem.code) {
      case "unauthorized":
        signIn();
        return;
      case "admission-required":
        await this.backToQueue(problem.message);
        return;
      case "forbidden":
        show(card.message, notBuyer(this.me));
        return;
      case "sold-out":
        show(card.message, refusal("sold-out",
          `There are no longer ${tickets(quantity)} of ${tier.name} left: others were quicker.`,
          "What is still available is shown above."));
        return;
      case "buyer-limit":
        show(card.message, refusal("buyer-limit",
          `Each buyer may have at most ${tickets(this.onSale?.maxPerBuyer ?? 0)} for this event at once, counting tickets on hold, in unpaid orders and already bought.`,
          problem.message));
        return;
      case "not-found":
        show(card.message, refusal("not-found", `${tier.name} tickets are no longer on sale.`, null));
        return;
      default:
        show(card.message, problemBox(problem));
    }
  }

  async restoreHolds() {
    if (!this.me?.roles.includes("buyer")) {
      return;
    }

    for (const holdId of remembered.holds(this.eventId)) {
      try {
        const hold = await api("GET", `/api/holds/${holdId}`);
        if (hold.status === "active" && new Date(hold.expiresAt).getTime() > Date.now() && this.tier(hold.tierId)) {
          this.holds.set(hold.tierId, hold);
        }
      } catch {
        // A hold that cannot be read now is left out; the buyer can hold again.
      }
    }

    this.keepHolds();
    this.renderHolds();
    this.renderTiers();
  }

  keepHolds() {
    remembered.keepHolds(this.eventId, [...this.holds.values()].map((hold) => hold.id));
  }

  renderHolds() {
    const holds = [...this.holds.values()];
    this.holdTimers.clear();
    show(this.holdList, holds.map((hold) => this.holdLine(hold)));
    this.holdSection.hidden = holds.length === 0 && !this.holdNotice.hasChildNodes();
    this.contact.form.hidden = holds.length === 0;
    const first = holds[0];
    this.contact.total.textContent = first
      ? `Total: ${money(holds.reduce((sum, hold) => sum + hold.quantity * this.tier(hold.tierId).priceCents, 0), this.tier(first.tierId).currency)}`
      : "";
  }

  holdLine(hold) {
    const tier = this.tier(hold.tierId);
    const timer = el("strong", { class: "timer", role: "timer" }, countdown(new Date(hold.expiresAt).getTime() - Date.now()));
    this.holdTimers.set(hold.id, timer);
    const release = el("button", { type: "button", class: "secondary", onclick: () => this.release(hold, release) }, "Release");
    return el("li", { class: "card hold", "data-hold": hold.id },
      el("div", { class: "spread" },
        el("strong", {}, `${hold.quantity} × ${tier.name}`),
        el("span", {}, money(hold.quantity * tier.priceCents, tier.currency))),
      el("p", {}, "Held for you for ", timer, ` more, until ${time(hold.expiresAt)}. Then the tickets go back on sale.`),
      release);
  }

  async release(hold, button) {
    button.disabled = true;
    const tier = this.tier(hold.tierId);
    try {
      await retrying(() => api("DELETE", `/api/holds/${hold.id}`), this.holdWaits);
    } catch (problem) {
      if (problem.status !== 404) {
        button.disabled = false;
        show(this.holdNotice, problemBox(problem));
        return;
      }
    }

    this.holds.delete(hold.tierId);
    this.keepHolds();
    const text = `Released ${tickets(hold.quantity)} of ${tier.name}: they are back on sale.`;
    show(this.holdNotice, el("p", { class: "notice notice-info" }, text));
    this.renderHolds();
    this.announcer.say(text);
    this.holdHeading.focus();
    await this.refresh();
  }

  /** Once a second: the holds' and the admission pass's countdowns, and what happens when they run out. */
  tick() {
    if (this.left) {
      return;
    }

    const now = Date.now();
    for (const hold of [...this.holds.values()]) {
      const left = new Date(hold.expiresAt).getTime() - now;
      if (left <= 0) {
        this.holdRanOut(hold);
        continue;
      }

      const timer = this.holdTimers.get(hold.id);
      if (timer) {
        timer.textContent = countdown(left);
      }

      if (left <= LastMinuteMs && !this.warned.has(hold.id)) {
        this.warned.add(hold.id);
        this.announcer.say(`Less than a minute left on your hold of ${this.tier(hold.tierId).name}.`);
      }
    }

    if (this.passTimer && this.queue?.status === "admitted") {
      const left = new Date(this.queue.pass.expiresAt).getTime() - now;
      if (left <= 0) {
        this.queue = { ...this.queue, status: "expired" };
        this.renderRoom();
        this.renderTiers();
      } else {
        this.passTimer.textContent = countdown(left);
      }
    }
  }

  holdRanOut(hold) {
    const tier = this.tier(hold.tierId);
    this.holds.delete(hold.tierId);
    this.keepHolds();
    const text = `Your hold of ${tickets(hold.quantity)} of ${tier.name} ran out at ${time(hold.expiresAt)}: the tickets went back on sale. Hold them again if any are left.`;
    show(this.holdNotice, el("p", { class: "notice notice-warn", "data-notice": "hold-expired" }, text));
    this.renderHolds();
    this.announcer.say(text);
    this.refresh();
  }

  /** Preselects what a buyer asked to hold before signing in; holding stays their own click. */
  grantWish() {
    const wish = remembered.wish(this.eventId);
    const card = wish && this.cards.get(wish.tierId);
    if (!card || card.form.hidden || !this.me) {
      return;
    }

    if ([...card.select.options].some((option) => option.value === String(wish.quantity))) {
      card.select.value = String(wish.quantity);
    }

    show(card.message, el("p", { class: "notice notice-info" }, `Signed in as ${this.me.userId}. Press “${card.button.textContent}” to hold your tickets.`));
    card.button.focus();
  }

  // --- The waiting room ------------------------------------------------------

  async loadQueue() {
    this.room.hidden = !this.onSale;
    if (!this.onSale) {
      return;
    }

    if (this.me?.roles.includes("buyer")) {
      try {
        this.take(await retrying(() => api("GET", this.queuePath), this.roomWaits));
        return;
      } catch (problem) {
        if (problem.status !== 404) {
          show(this.roomNotice, problemBox(problem));
        }

        this.queue = null;
      }
    }

    this.renderRoom();
    this.renderTiers();
  }

  /** The buyer's place as the server answered it; a waiting buyer's page then waits for the next change. */
  take(ticket) {
    const before = this.queue?.status;
    this.queue = ticket;
    this.renderRoom();
    this.renderTiers();
    if (before && before !== ticket.status && ticket.status === "admitted") {
      this.roomHeading.scrollIntoView({ block: "start" });
    }

    if (ticket.status === "waiting") {
      this.waitInLine();
    }
  }

  async join(button) {
    button.disabled = true;
    show(this.roomNotice);
    try {
      this.take(await retrying(() => api("POST", this.queuePath), this.roomWaits));
    } catch (problem) {
      button.disabled = false;
      if (problem.status === 404) {
        await this.onSaleChanged();
      } else {
        show(this.roomNotice, problemBox(problem));
      }
    }
  }

  /**
   * One long poll at a time, answered as soon as the place changes; an
   * answer that comes back early with nothing new is asked again a second
   * later at the soonest, which keeps a page well inside its rate limit.
   * A page far from its turn rests instead and then looks (answered at
   * once), so a room of many thousands does not hold a request open for each.
   */
  async waitInLine() {
    if (this.waiting) {
      return;
    }

    this.waiting = true;
    try {
      while (this.queue?.status === "waiting" && !this.left) {
        const rest = this.restBeforeLook();
        if (rest > 0) {
          await sleep(rest);
          if (this.queue?.status !== "waiting" || this.left) {
            return;
          }
        }

        const asked = Date.now();
        const path = rest > 0 ? this.queuePath : `${this.queuePath}?waitSeconds=${this.pollSeconds()}`;
        let ticket;
        try {
          ticket = await retrying(() => api("GET", path), this.roomWaits);
        } catch (problem) {
          if (problem.status === 404) {
            await this.onSaleChanged();
          } else if (problem.status === 401) {
            signIn();
          } else {
            show(this.roomNotice, problemBox(problem),
              el("button", { type: "button", onclick: () => { show(this.roomNotice); this.waitInLine(); } }, "Check my place again"));
          }

          return;
        }

        const before = this.queue.status;
        if (ticket.status === "waiting" && before === "waiting" && ticket.position < this.queue.position) {
          this.lineMoved = true;
        }

        this.queue = ticket;
        this.renderRoom();
        if (ticket.status !== before) {
          this.renderTiers();
          this.roomHeading.scrollIntoView({ block: "start" });
        }

        const early = 1000 - (Date.now() - asked);
        if (early > 0) {
          await sleep(early);
        }
      }
    } finally {
      this.waiting = false;
    }
  }

  /**
   * How long to rest before looking again, in milliseconds: until NearTurnMs
   * before the buyer's turn at the on-sale's rate, at most LongestRestMs
   * (an organizer who speeds admission up is heard within that); 0 to
   * long-poll. Only once the line has moved, or for a buyer who joined
   * after the opening (a few seconds after it: places taken in the opening's
   * first round are drawn too): before the opening's draw a place says
   * nothing of the turn, and a page polls across the opening to hear of an
   * early admission at once.
   */
  restBeforeLook() {
    if (!this.onSale) {
      return 0;
    }

    const joinedAfterOpening = Date.parse(this.queue.joinedAt) >= Date.parse(this.onSale.opensAt) + JoinedAfterOpeningMs;
    if (!this.lineMoved && !joinedAfterOpening) {
      return 0;
    }

    const rest = ((this.queue.position - 1) * 60_000) / this.onSale.admitPerMinute - NearTurnMs;
    return rest < ShortestRestMs ? 0 : Math.min(rest, LongestRestMs);
  }

  /**
   * How long a poll asks to wait, in seconds: 20, except that a poll sent
   * before the opening ends at this page's own moment after it when that
   * comes sooner. Every page of the room hears its drawn place when its poll
   * ends; without this they would all hear it within the few seconds they
   * joined in, one answer and one request each, together.
   */
  pollSeconds() {
    if (!this.onSale) {
      return LongPollMs / 1000;
    }

    const opensAt = Date.parse(this.onSale.opensAt);
    const now = Date.now();
    const left = opensAt + this.afterOpeningMs - now;
    return now < opensAt && left <= LongPollMs ? Math.max(1, Math.ceil(left / 1000)) : LongPollMs / 1000;
  }

  /** The waiting room answered that it has no place for the buyer: the on-sale was removed or replaced. */
  async onSaleChanged() {
    this.onSale = await this.readOnSale(this.roomWaits).catch(() => this.onSale);
    this.queue = null;
    this.lineMoved = false;
    if (!this.onSale) {
      this.room.hidden = false;
      show(this.roomNotice, el("p", { class: "notice notice-info" }, "This event no longer sells through a waiting room: you can hold tickets directly."));
      show(this.roomBody);
      this.roomStatus.textContent = "";
      this.renderTiers();
      return;
    }

    await this.loadQueue();
  }

  /** A hold was refused for want of a live pass: back to the waiting room, saying why. */
  async backToQueue(reason) {
    this.onSale = await this.readOnSale(this.roomWaits).catch(() => this.onSale);
    await this.loadQueue();
    if (this.onSale) {
      show(this.roomNotice, el("div", { class: "notice notice-warn", role: "alert", "data-problem": "admission-required" }, el("p", {}, reason)));
    }

    this.roomHeading.scrollIntoView({ block: "start" });
    this.roomHeading.focus();
  }

  renderRoom() {
    const onSale = this.onSale;
    const opens = onSale.status === "open"
      ? "It is open now."
      : `It opens at ${dateTime(onSale.opensAt)}: everyone who joins before then is put in a random order at the opening, and later arrivals join the line in the order they come.`;
    const intro = el("p", {}, `Tickets for this event are sold through a waiting room, so that everyone gets a fair turn. ${opens}`);
    this.passTimer = null;
    this.room.classList.remove("room-admitted", "room-waiting", "room-expired");

    if (!this.me) {
      this.status("");
      show(this.roomBody, intro, el("button", { type: "button", onclick: signIn }, "Sign in to join the waiting room"));
      return;
    }

    if (!this.me.roles.includes("buyer")) {
      this.status("");
      show(this.roomBody, intro, notBuyer(this.me));
      return;
    }

    const ticket = this.queue;
    if (!ticket) {
      this.status("");
      const button = el("button", { type: "button", onclick: () => this.join(button) }, "Join the waiting room");
      show(this.roomBody, intro, button);
      return;
    }

    if (ticket.status === "waiting") {
      this.room.classList.add("room-waiting");
      this.status("You are in the waiting room.", ` Your place in line: ${ticket.position}.`);
      show(this.roomBody,
        el("dl", { class: "place" },
          el("div", {}, el("dt", {}, "Your place in line"), el("dd", { class: "position" }, String(ticket.position))),
          el("div", {}, el("dt", {}, "Estimated turn"), el("dd", {},
            el("time", { datetime: ticket.estimatedAdmissionAt }, time(ticket.estimatedAdmissionAt)), ` (${fromNow(ticket.estimatedAdmissionAt)})`))),
        onSale.status === "open" ? null : el("p", {}, `The sale opens at ${dateTime(onSale.opensAt)}. Places of everyone who joins before then are drawn at random at the opening.`),
        el("p", { class: "muted" }, "Keep this page open: it moves on by itself when it is your turn. Reloading it keeps your place."));
      return;
    }

    if (ticket.status === "admitted") {
      this.room.classList.add("room-admitted");
      this.passTimer = el("strong", { class: "timer", role: "timer" }, countdown(new Date(ticket.pass.expiresAt).getTime() - Date.now()));
      this.status(`It is your turn: you can hold tickets until ${time(ticket.pass.expiresAt)}.`);
      show(this.roomBody, el("p", {}, "Your admission pass is valid for ", this.passTimer, " more. Choose your tickets below."));
      return;
    }

    this.room.classList.add("room-expired");
    this.status(`Your admission pass ran out at ${time(ticket.pass?.expiresAt ?? new Date().toISOString())}.`);
    show(this.roomBody,
      el("p", {}, "Each buyer is let in once in this sale, so the waiting room cannot let you in again. Tickets you already hold stay yours until their hold runs out."));
  }

  /**
   * The room's one live sentence, changed only when it says something new (so
   * it is read out once); <unseen> is read out but not shown, as the page shows it larger below.
   */
  status(text, unseen = "") {
    if (this.roomStatus.textContent !== text + unseen) {
      show(this.roomStatus, text, unseen ? el("span", { class: "visually-hidden" }, unseen) : null);
    }
  }

  // --- Contact and order -----------------------------------------------------

  contactForm() {
    const email = field("email", "Email", { type: "email", autocomplete: "email", inputmode: "email", required: true },
      "Your tickets and receipt are sent here.");
    const name = field("name", "Name", { type: "text", autocomplete: "name", required: true }, null);
    const phone = field("phone", "Phone (optional)", { type: "tel", autocomplete: "tel" }, "Only used if something about your order needs a call.");
    const total = el("p", { class: "total" });
    const button = el("button", { type: "submit" }, "Continue to payment");
    const message = el("div");
    const form = el("form", { class: "card contact", novalidate: true, "aria-labelledby": "contact-title", hidden: true },
      el("h2", { id: "contact-title" }, "Your details"),
      email.wrap, name.wrap, phone.wrap, total, button, message);
    const contact = { form, fields: { email, name, phone }, total, button, message };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.placeOrder(contact);
    });
    return contact;
  }

  async placeOrder(contact) {
    const { fields, button, message } = contact;
    Object.values(fields).forEach((f) => f.clear());
    show(message);
    const details = { email: fields.email.input.value.trim(), name: fields.name.input.value.trim() };
    if (fields.phone.input.value.trim()) {
      details.phone = fields.phone.input.value.trim();
    }

    const missing = {};
    if (!details.email) {
      missing["contact.email"] = ["Enter your email address: your tickets are sent there."];
    }

    if (!details.name) {
      missing["contact.name"] = ["Enter the name the order is for."];
    }

    if (Object.keys(missing).length > 0) {
      this.fieldErrors(contact, missing);
      return;
    }

    if (!this.me) {
      signIn();
      return;
    }

    const holdIds = [...this.holds.values()].map((hold) => hold.id);
    const key = newKey();
    button.disabled = true;
    button.textContent = "Placing your order…";
    let order;
    try {
      order = await retrying(() => api("POST", "/api/orders", { holdIds, contact: details }, { "Idempotency-Key": key }), message);
    } catch (problem) {
      button.disabled = false;
      button.textContent = "Continue to payment";
      await this.orderRefused(contact, problem);
      return;
    }

    // The holds now belong to the order: this page no longer counts them down.
    this.left = true;
    remembered.keepHolds(this.eventId, []);
    remembered.keepOrder(this.eventId, order.id);
    show(message, el("p", { class: "notice notice-ok", role: "status" }, "Order placed. Taking you to payment…"));
    await startPayment(order, message);
  }

  async orderRefused(contact, problem) {
    if (problem.code === "validation" && problem.errors) {
      this.fieldErrors(contact, problem.errors);
      return;
    }

    if (problem.code === "hold-not-found") {
      await this.recheckHolds();
      show(contact.message, refusal("hold-not-found",
        "One of your holds has run out or was released, so the order was not placed.",
        "Check your tickets on hold and try again."));
      return;
    }

    if (problem.code === "unauthorized") {
      signIn();
      return;
    }

    show(contact.message, problemBox(problem));
  }

  /** Marks each field the problem names; whatever names no field is shown above the button. */
  fieldErrors(contact, errors) {
    const others = [];
    let first = null;
    for (const [key, lines] of Object.entries(errors)) {
      const f = contact.fields[key.replace(/^contact\./, "")];
      if (f && key.startsWith("contact.")) {
        // The API names the field by its path ("contact.email is required..."); the page names it by its label.
        f.fail(lines.map((line) => line.replace(key, f.name)).join(" "));
        first ??= f.input;
      } else {
        others.push(...lines);
      }
    }

    show(contact.message, el("div", { class: "notice notice-error", role: "alert", "data-problem": "validation" },
      el("p", {}, "The order was not placed: check the details marked below."),
      others.length ? el("ul", {}, others.map((line) => el("li", {}, line))) : null));
    first?.focus();
  }

  async recheckHolds() {
    for (const hold of [...this.holds.values()]) {
      const now = await api("GET", `/api/holds/${hold.id}`).catch(() => null);
      if (!now || now.status !== "active") {
        this.holds.delete(hold.tierId);
      }
    }

    this.keepHolds();
    this.renderHolds();
    await this.refresh();
  }

  /** An order of this event placed from this tab and not paid yet: the buyer finishes or cancels it first. */
  async unpaidOrder() {
    const orderId = remembered.order(this.eventId);
    if (!orderId || !this.me) {
      return;
    }

    const order = await api("GET", `/api/orders/${orderId}`).catch(() => null);
    if (order && ["awaiting_payment", "payment_failed"].includes(order.status)) {
      show(this.orderNotice, el("div", { class: "notice notice-warn" },
        el("p", {}, `You have an unpaid order for this event (${money(order.totalCents, order.currency)}). Its tickets are held for you until ${time(order.expiresAt)}.`),
        el("a", { class: "button", href: orderPath(order.id) }, "Pay or cancel the order")));
    }
  }
}

/** A labelled input with its hint and a place for its error, tied together for screen readers. */
function field(name, label, attributes, hint) {
  const id = `contact-${name}`;
  const input = el("input", { id, name, ...attributes, "aria-describedby": `${id}-error${hint ? ` ${id}-hint` : ""}` });
  const error = el("p", { class: "field-error", id: `${id}-error` });
  const wrap = el("div", { class: "field" },
    el("label", { for: id }, label), hint ? el("p", { class: "hint", id: `${id}-hint` }, hint) : null, input, error);
  return {
    wrap, input, name: label.replace(/ \(optional\)$/, ""),
    fail(text) {
      input.setAttribute("aria-invalid", "true");
      error.textContent = text;
    },
    clear() {
      input.removeAttribute("aria-invalid");
      error.textContent = "";
    },
  };
}

function refusal(code, headline, detail) {
  return el("div", { class: "notice notice-error", role: "alert", "data-problem": code },
    el("p", {}, headline), detail ? el("p", {}, detail) : null);
}

function notBuyer(me) {
  return el("div", { class: "notice notice-warn", role: "alert", "data-problem": "forbidden" },
    el("p", {}, `You are signed in as ${me.userId}, an account that cannot buy tickets.`),
    el("a", { href: `/signin?returnUrl=${encodeURIComponent(location.pathname + location.search)}` }, "Sign in as a buyer"));
}
