// An order's page (/?order=<id>): paying it, following it until its tickets
// are issued (one long poll at a time), and the tickets with their codes,
// ready to print. The payment page sends the buyer back here.
import { api, countdown, dateTime, el, money, problemBox, session, show, signIn, sleep, time } from "/app/common.js";
import { eventPath, newKey, orderPath, retrying, tickets } from "/app/storefront-shared.js";

/** Statuses that change by themselves (a payment, an issuance, an expiry): the page waits on them. */
const Moving = ["awaiting_payment", "payment_failed", "paid"];

let payments; // GET /api/payments/config, read once per page

async function paymentsConfig(notice) {
  payments ??= await retrying(() => api("GET", "/api/payments/config"), notice);
  return payments;
}

/** The Stripe emulator's hosted page for <order>, which sends the browser back to the order's page. */
function hostedPage(settings, order) {
  const back = `${location.origin}${orderPath(order.id)}`;
  return `${settings.checkoutUrl.replace(/\/+$/, "")}/${encodeURIComponent(order.payment.clientSecret)}?return_url=${encodeURIComponent(back)}`;
}

/**
 * Takes a just-placed order to payment: straight to the emulator's hosted
 * page, or to the order's page, where Stripe's Payment Element is mounted.
 */
export async function startPayment(order, notice) {
  try {
    const settings = await paymentsConfig(notice);
    if (settings.mode === "emulator" && settings.checkoutUrl && order.payment?.clientSecret) {
      location.assign(hostedPage(settings, order));
      return;
    }
  } catch {
    // The order's page says what is wrong with payments, and offers to try again.
  }

  location.assign(orderPath(order.id));
}

export async function orderPage(main, orderId, query) {
  // Back from the payment page: its answer is read once, then the address is the order's own again.
  const returned = query.get("redirect_status");
  if ([...query.keys()].some((key) => key !== "order")) {
    history.replaceState(null, "", orderPath(orderId));
  }

  if (!await session()) {
    signIn();
    return;
  }

  await new OrderPage(main, orderId, returned).open();
}

class OrderPage {
  constructor(main, orderId, returned) {
    this.main = main;
    this.orderId = orderId;
    this.returned = returned; // "succeeded", "failed" or null
    this.order = null;
    this.event = null;
    this.deadline = null; // the countdown to the order's expiry, while it is unpaid
    this.following = false; // a long poll of the order is under way
  }

  async open() {
    const waits = el("div");
    show(this.main, el("p", { class: "muted" }, "Loading your order…"), waits);
    try {
      this.order = await retrying(() => api("GET", `/api/orders/${this.orderId}`), waits);
    } catch (problem) {
      if (problem.status === 404) {
        document.title = "No such order · Ticketing";
        show(this.main, el("h1", {}, "No such order"),
          el("p", {}, "This order does not exist, or belongs to another account. ", el("a", { href: "/" }, "See the upcoming events"), "."));
      } else {
        show(this.main, el("h1", {}, "Your order could not be loaded"), problemBox(problem),
          el("button", { type: "button", onclick: () => this.open() }, "Try again"));
      }

      return;
    }

    this.event = await api("GET", `/api/events/${this.order.eventId}`).catch(() => null);
    this.layout();
    await this.render();
    setInterval(() => this.tick(), 1000);
    await this.follow();
  }

  layout() {
    this.heading = el("h1", { tabindex: "-1" }, "Your order");
    this.summary = el("div", { class: "card summary" });
    this.statusLine = el("p", { class: "order-status", role: "status", "aria-live": "polite" });
    this.state = el("section", { class: "card state", "aria-labelledby": "state-title" },
      el("h2", { id: "state-title", class: "visually-hidden" }, "Status"), this.statusLine);
    this.body = el("div");
    this.state.append(this.body);
    this.waits = el("div");
    this.ticketArea = el("div");
    show(this.main,
      el("p", { class: "back no-print" }, el("a", { href: this.event ? eventPath(this.event.id) : "/" }, this.event ? `Back to ${this.event.title}` : "All events")),
      this.heading, this.state, this.waits, this.ticketArea, this.summary);
  }

  tierName(tierId) {
    return this.event?.tiers.find((tier) => tier.id === tierId)?.name ?? "Ticket";
  }

  renderSummary() {
    const order = this.order;
    const event = this.event;
    show(this.summary,
      el("h2", {}, "Order summary"),
      event ? el("p", {}, el("strong", {}, event.title), el("br"),
        el("time", { datetime: event.startsAt }, dateTime(event.startsAt)), event.venue ? ` · ${event.venue}` : "") : null,
      el("ul", { class: "items" }, order.items.map((item) =>
        el("li", {}, `${item.quantity} × ${this.tierName(item.tierId)} at ${money(item.unitPriceCents, order.currency)}`))),
      el("p", {}, el("strong", {}, `Total ${money(order.totalCents, order.currency)}`)),
      el("p", { class: "muted small" }, `Order ${order.id}, placed ${dateTime(order.createdAt)}.`));
  }

  /** Shows the order as it now stands: one sentence read out, what it means, and what the buyer can do. */
  async render() {
    const order = this.order;
    const pay = (label) => this.paySection(label);
    const backToEvent = this.event ? el("a", { class: "button secondary", href: eventPath(this.event.id) }, "Back to the event") : null;
    this.deadline = null;
    this.renderSummary();
    show(this.ticketArea);
    this.state.dataset.status = order.status;

    const failed = order.status === "payment_failed" || (order.status === "awaiting_payment" && this.returned === "failed");
    switch (order.status) {
      case "awaiting_payment":
        if (this.returned === "succeeded") {
          this.say("ok", "Payment sent: waiting for its confirmation…");
          show(this.body, el("p", {}, "Your tickets appear here by themselves in a few seconds. Keep this page open."));
          break;
        }

        if (failed) {
          break; // shown as payment_failed below
        }

        this.say("info", "Waiting for your payment");
        this.deadline = el("strong", { class: "timer", role: "timer" }, countdown(new Date(order.expiresAt).getTime() - Date.now()));
        show(this.body,
          el("p", {}, "Pay within ", this.deadline, `, by ${time(order.expiresAt)}: after that the order expires and its tickets go back on sale.`),
          await pay(`Pay ${money(order.totalCents, order.currency)}`),
          this.cancelControl());
        break;
      case "paid":
        this.say("ok", "Payment received: issuing your tickets…");
        show(this.body, el("p", {}, "This takes a few seconds. Your tickets appear here by themselves."));
        break;
      case "fulfilled":
        this.say("ok", "Your tickets are ready");
        show(this.body, el("p", {}, "Show each ticket's code at the entrance, on your phone or printed."), this.pendingRefund());
        await this.showTickets();
        break;
      case "cancelled":
        this.say("info", "This order is cancelled");
        show(this.body, el("p", {}, "Nothing was charged, and its tickets went back on sale."), backToEvent);
        break;
      case "expired":
        this.say("warn", "This order expired");
        show(this.body, el("p", {}, "It was not paid in time, so its tickets went back on sale. Nothing was charged."), backToEvent);
        break;
      case "refunded":
        this.say("info", "This order was refunded");
        show(this.body, el("p", {}, `${money(order.refundedCents, order.currency)} went back to your card. Its tickets are no longer valid.`), this.pendingRefund());
        await this.showTickets();
        break;
      case "partially_refunded":
        this.say("info", "Part of this order was refunded");
        show(this.body,
          el("p", {}, `${money(order.refundedCents, order.currency)} went back to your card for the tickets marked refunded below. The other tickets stay valid.`),
          this.pendingRefund());
        await this.showTickets();
        break;
      case "unfulfillable":
        this.say("warn", "We could not issue your tickets");
        show(this.body,
          el("p", {}, "Your payment came in after the last tickets were gone. It is refunded to your card automatically: you do not need to do anything."),
          backToEvent);
        break;
      case "disputed":
        this.say("warn", "The payment of this order is disputed");
        show(this.body,
          el("p", {}, "The payment was disputed with the card's bank. The tickets stay as they are shown below until the dispute is settled."));
        await this.showTickets();
        break;
      default:
        this.say("info", `This order is ${order.status.replace(/_/g, " ")}`);
        show(this.body);
    }

    if (failed) {
      this.say("bad", "Your payment did not go through");
      this.deadline = el("strong", { class: "timer", role: "timer" }, countdown(new Date(order.expiresAt).getTime() - Date.now()));
      show(this.body,
        order.statusReason ? el("p", {}, `The payment was refused: ${order.statusReason}`) : null,
        el("p", {}, "Nothing was charged. Your tickets stay held for ", this.deadline, ` more (until ${time(order.expiresAt)}): try again, with another card if need be.`),
        await pay(`Try again: pay ${money(order.totalCents, order.currency)}`),
        this.cancelControl());
    }

    document.title = `${this.statusLine.textContent} · Ticketing`;
  }

  say(tone, text) {
    this.state.className = `card state state-${tone}`;
    if (this.statusLine.textContent !== text) {
      this.statusLine.textContent = text;
    }
  }

  pendingRefund() {
    const order = this.order;
    return order.refundPendingCents > 0
      ? el("p", { class: "notice notice-info" }, `A refund of ${money(order.refundPendingCents, order.currency)} is on its way to your card.`)
      : null;
  }

  /** While the order can still change by itself, waits for the change on the server and shows it. */
  async follow() {
    if (this.following) {
      return;
    }

    this.following = true;
    try {
      await this.followingLoop();
    } finally {
      this.following = false;
    }
  }

  async followingLoop() {
    while (Moving.includes(this.order.status)) {
      const seen = this.order.status;
      const asked = Date.now();
      let next;
      try {
        next = await retrying(() => api("GET", `/api/orders/${this.orderId}?waitWhile=${seen}&waitSeconds=20`), this.waits);
      } catch (problem) {
        show(this.waits, problemBox(problem),
          el("button", { type: "button", onclick: () => { show(this.waits); this.follow(); } }, "Check the order again"));
        return;
      }

      this.order = next;
      if (next.status !== seen) {
        await this.render();
      }

      // An answer that came back early with nothing new is asked again a second later at the soonest.
      const early = 1000 - (Date.now() - asked);
      if (early > 0) {
        await sleep(early);
      }
    }
  }

  tick() {
    if (this.deadline) {
      const left = new Date(this.order.expiresAt).getTime() - Date.now();
      this.deadline.textContent = left > 0 ? countdown(left) : "0:00";
    }
  }

  // --- Paying ------------------------------------------------------------------

  async paySection(label) {
    const order = this.order;
    if (!order.payment?.clientSecret) {
      return el("p", { class: "notice notice-info" }, "Only the buyer who placed this order can pay it.");
    }

    const waits = el("div");
    let settings;
    try {
      settings = await paymentsConfig(waits);
    } catch (problem) {
      return el("div", {}, problemBox(problem), el("button", { type: "button", onclick: () => this.render() }, "Try again"));
    }

    if (settings.mode === "emulator" && settings.checkoutUrl) {
      return el("div", { class: "pay" },
        el("button", { type: "button", class: "pay-button", onclick: () => location.assign(hostedPage(settings, order)) }, label),
        el("p", { class: "muted small" }, "You pay on the test payment page, which brings you back here."));
    }

    if (settings.mode === "stripe" && settings.publishableKey) {
      return this.stripeForm(settings.publishableKey, label);
    }

    return el("div", { class: "notice notice-warn", "data-problem": "payments-not-configured" },
      el("p", {}, "Payments are not configured on this site yet, so this order cannot be paid here."),
      el("p", {}, "Cancel it to give its tickets back, or come back later."));
  }

  /** Stripe's Payment Element, with Stripe.js loaded only now, on this step. */
  stripeForm(publishableKey, label) {
    const order = this.order;
    const mount = el("div", { class: "payment-element" }, el("p", { class: "muted" }, "Loading the payment form…"));
    const message = el("div");
    const button = el("button", { type: "submit", disabled: true }, label);
    const form = el("form", { class: "pay" }, mount, button, message);
    loadStripe().then((Stripe) => {
      const stripe = Stripe(publishableKey);
      const elements = stripe.elements({ clientSecret: order.payment.clientSecret });
      show(mount);
      elements.create("payment").mount(mount);
      button.disabled = false;
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        button.disabled = true;
        show(message);
        const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: `${location.origin}${orderPath(order.id)}` } });
        // Only reached when the payment could not be confirmed: success leaves for return_url.
        button.disabled = false;
        show(message, el("div", { class: "notice notice-error", role: "alert" }, el("p", {}, error?.message ?? "The payment could not be completed.")));
      });
    }).catch(() => {
      show(mount, el("div", { class: "notice notice-error", role: "alert" },
        el("p", {}, "The payment form could not be loaded. Check your connection, then reload this page.")));
    });
    return form;
  }

  cancelControl() {
    const area = el("div", { class: "cancel no-print" });
    const offer = () => show(area, el("button", { type: "button", class: "secondary", onclick: ask }, "Cancel order"));
    const ask = () => {
      const yes = el("button", { type: "button", class: "danger", onclick: () => this.cancel(area, yes) }, "Yes, cancel the order");
      show(area,
        el("p", {}, "Cancel this order? Its tickets go back on sale, and nothing is charged."),
        el("div", { class: "row" }, yes, el("button", { type: "button", class: "secondary", onclick: offer }, "Keep the order")));
      yes.focus();
    };
    offer();
    return area;
  }

  async cancel(area, button) {
    button.disabled = true;
    const key = newKey();
    try {
      this.order = await retrying(() => api("POST", `/api/orders/${this.orderId}/cancel`, undefined, { "Idempotency-Key": key }), area);
    } catch (problem) {
      if (problem.code !== "order-state") {
        button.disabled = false;
        show(area, problemBox(problem));
        return;
      }

      // Too late to cancel: the payment may have gone through. Show the order as it is.
      this.order = await api("GET", `/api/orders/${this.orderId}`).catch(() => this.order);
      this.returned = null;
      await this.render();
      this.body.prepend(el("div", { class: "notice notice-warn", role: "alert", "data-problem": "order-state" }, el("p", {}, problem.message)));
      this.follow();
      return;
    }

    this.returned = null;
    await this.render();
    this.heading.focus();
  }

  // --- Tickets -----------------------------------------------------------------

  async showTickets() {
    const waits = el("div");
    show(this.ticketArea, el("p", { class: "muted" }, "Loading your tickets…"), waits);
    let list;
    try {
      list = await retrying(() => api("GET", `/api/orders/${this.orderId}/tickets`), waits);
    } catch (problem) {
      show(this.ticketArea, problemBox(problem), el("button", { type: "button", onclick: () => this.showTickets() }, "Try again"));
      return;
    }

    const event = this.event;
    show(this.ticketArea, el("section", { class: "tickets-section", "aria-labelledby": "tickets-title" },
      el("div", { class: "spread" },
        el("h2", { id: "tickets-title" }, list.length === 1 ? "Your ticket" : `Your ${tickets(list.length)}`),
        el("button", { type: "button", class: "secondary no-print", onclick: () => print() }, "Print tickets")),
      el("ol", { class: "ticket-list" }, list.map((ticket) => {
        const name = this.tierName(ticket.tierId);
        const valid = ticket.status === "issued";
        return el("li", { class: `card ticket ticket-${ticket.status}`, "data-ticket": ticket.id },
          el("div", { class: "ticket-text" },
            el("h3", {}, `${name} · No. ${ticket.sequenceNumber}`),
            event ? el("p", {}, el("strong", {}, event.title), el("br"), dateTime(event.startsAt), event.venue ? ` · ${event.venue}` : "") : null,
            el("p", {}, valid
              ? el("span", { class: "badge badge-ok" }, "Valid")
              : el("span", { class: "badge badge-bad" }, ticket.status === "refunded" ? "Refunded: not valid" : "Voided: not valid")),
            ticket.qrToken ? el("p", { class: "code" }, "Code ", el("code", {}, ticket.qrToken)) : null),
          valid && ticket.qrToken
            ? el("img", { class: "qr", src: `/api/tickets/${ticket.id}/qr.svg`, width: 240, height: 240, alt: `QR code of ${name} ticket number ${ticket.sequenceNumber}` })
            : null);
      }))));
  }
}

let stripeLoading;

function loadStripe() {
  stripeLoading ??= new Promise((resolve, reject) => {
    const script = el("script", { src: "https://js.stripe.com/v3/" });
    script.addEventListener("load", () => (window.Stripe ? resolve(window.Stripe) : reject(new Error("Stripe.js did not start."))));
    script.addEventListener("error", () => {
      stripeLoading = null;
      reject(new Error("Stripe.js could not be loaded."));
    });
    document.head.append(script);
  });
  return stripeLoading;
}
