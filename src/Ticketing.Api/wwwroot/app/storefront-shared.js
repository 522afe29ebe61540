// What the storefront's views share: retrying through busy spells while
// saying so, keys that make a retried purchase step happen once, and what
// this browser tab remembers of a purchase under way.
import { Problem, el, show, sleep } from "/app/common.js";

const ids = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether text is an id the API could know: anything else is not looked up. */
export const isId = (text) => typeof text === "string" && ids.test(text);

/** "1 ticket", "2 tickets". */
export const tickets = (n) => (n === 1 ? "1 ticket" : `${n} tickets`);

export const eventPath = (eventId) => `/?event=${eventId}`;
export const orderPath = (orderId) => `/?order=${orderId}`;

/**
 * A key for Idempotency-Key: a step retried after a lost answer or a busy
 * spell then happens once. Made from getRandomValues, which (unlike
 * randomUUID) also exists on a page served without TLS.
 */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Answers that mean "the same request will work in a moment". */
function passing(problem) {
  return problem instanceof Problem
    && ([0, 429, 503].includes(problem.status) || problem.code === "idempotency-in-progress");
}

/** Why the page is waiting, as a person reads it. */
export function waitText(problem, seconds) {
  if (problem.status === 429) {
    return `Too many requests for now. Trying again in ${seconds} s.`;
  }

  if (problem.status === 0) {
    return `No connection to the server. Trying again in ${seconds} s.`;
  }

  if (problem.code === "idempotency-in-progress") {
    return `Your request is still being processed. Checking again in ${seconds} s.`;
  }

  return `The service is briefly unavailable. Trying again in ${seconds} s.`;
}

/**
 * Runs <call>; through 429, 503 and lost connections it waits the seconds the
 * server asked for, counting them down in <notice>, and tries again. Any
 * other problem is thrown. The notice is emptied once an answer comes.
 */
export async function retrying(call, notice) {
  try {
    for (;;) {
      try {
        return await call();
      } catch (problem) {
        if (!passing(problem)) {
          throw problem;
        }

        const seconds = Math.max(1, problem.retryAfter ?? 2);
        for (let left = seconds; left > 0; left--) {
          if (notice) {
            show(notice, el("p", { class: "notice notice-warn", "data-wait": problem.status }, waitText(problem, left)));
          }

          await sleep(1000);
        }
      }
    }
  } finally {
    if (notice) {
      show(notice);
    }
  }
}

/** This tab's memory of a purchase under way, per event: the holds not yet in an order, and the unpaid order. */
export const remembered = {
  holds(eventId) {
    try {
      const stored = JSON.parse(sessionStorage.getItem(`storefront:holds:${eventId}`) ?? "[]");
      return Array.isArray(stored) ? stored.filter(isId) : [];
    } catch {
      return [];
    }
  },
  keepHolds(eventId, holdIds) {
    if (holdIds.length === 0) {
      sessionStorage.removeItem(`storefront:holds:${eventId}`);
    } else {
      sessionStorage.setItem(`storefront:holds:${eventId}`, JSON.stringify(holdIds));
    }
  },
  order(eventId) {
    const stored = sessionStorage.getItem(`storefront:order:${eventId}`);
    return isId(stored) ? stored : null;
  },
  keepOrder(eventId, orderId) {
    sessionStorage.setItem(`storefront:order:${eventId}`, orderId);
  },
  /** The hold a signed-out buyer asked for, picked again after signing in. */
  wish(eventId) {
    try {
      const wish = JSON.parse(sessionStorage.getItem(`storefront:wish:${eventId}`) ?? "null");
      sessionStorage.removeItem(`storefront:wish:${eventId}`);
      return wish && isId(wish.tierId) && Number.isInteger(wish.quantity) ? wish : null;
    } catch {
      return null;
    }
  },
  keepWish(eventId, tierId, quantity) {
    sessionStorage.setItem(`storefront:wish:${eventId}`, JSON.stringify({ tierId, quantity }));
  },
};

/** "in about 3 minutes" for a time ahead. */
export function fromNow(iso) {
  const minutes = Math.round((new Date(iso).getTime() - Date.now()) / 60000);
  if (minutes <= 0) {
    return "any moment now";
  }

  return minutes === 1 ? "in about a minute" : `in about ${minutes} minutes`;
}

/** A visually hidden live region for short announcements (a hold placed, time running out). */
export function announcer() {
  const region = el("div", { class: "visually-hidden", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  const say = (text) => {
    // Emptied first so that the same sentence twice is still read twice.
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);
  };
  return { region, say };
}
