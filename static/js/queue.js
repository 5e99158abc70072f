// The approval queue's keyboard and live updates (templates/messaging/queue/).
//
// Keys: j / k move between cards, a approves, e edits, s opens skip, ? shows the keys.
// Keys are ignored while typing in a box or with a modifier held, so they never eat text.
// Everything here is an extra: without JavaScript every action is a plain form.
(function () {
  "use strict";

  const CARD = "[data-queue-card]";

  function cards() {
    return Array.from(document.querySelectorAll(CARD));
  }

  // Cards still waiting for a decision (not approved/skipped in place).
  function openCards() {
    return cards().filter(function (card) {
      return !card.hasAttribute("data-done");
    });
  }

  function current() {
    const active = document.activeElement;
    const card = active ? active.closest(CARD) : null;
    return card || document.querySelector(CARD + ".is-current");
  }

  function focusCard(card) {
    if (!card) return;
    cards().forEach(function (c) {
      c.classList.remove("is-current");
    });
    card.classList.add("is-current");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function move(step) {
    const list = openCards();
    if (!list.length) return;
    const here = current();
    let index = list.indexOf(here);
    if (index === -1) {
      // From a card dealt with (or nothing yet): the next open card after it.
      const all = cards();
      const from = here ? all.indexOf(here) : -1;
      const after = list.filter(function (c) {
        return all.indexOf(c) > from;
      });
      focusCard(step > 0 ? after[0] || list[list.length - 1] : list[0]);
      return;
    }
    focusCard(list[Math.min(Math.max(index + step, 0), list.length - 1)]);
  }

  function typing(target) {
    if (!target) return false;
    const tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function click(card, action) {
    const button = card && card.querySelector('[data-action="' + action + '"]');
    if (button && !button.disabled) button.click();
    return button;
  }

  function showHelp() {
    const modal = document.getElementById("queue-help");
    if (modal && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      focusCard(event.target.closest(CARD));
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector(".modal.show")) return;
    const card = current();
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "a":
        if (!card || card.hasAttribute("data-done")) return;
        click(card, "approve");
        break;
      case "e":
        if (!card || card.hasAttribute("data-done")) return;
        click(card, "edit");
        break;
      case "s": {
        if (!card || card.hasAttribute("data-done")) return;
        const details = card.querySelector("details[data-skip]");
        if (!details) return;
        details.open = true;
        const input = details.querySelector('input[name="reason"]');
        if (input) input.focus();
        break;
      }
      case "?":
        showHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // A card clicked becomes the current one, so keys act on what the user looks at.
  document.addEventListener("click", function (event) {
    const card = event.target.closest && event.target.closest(CARD);
    if (card) {
      cards().forEach(function (c) {
        c.classList.remove("is-current");
      });
      card.classList.add("is-current");
    }
  });

  // After a card is swapped (approved, skipped, edited), keep the place: an edit form gets
  // the cursor, a card dealt with hands focus to the next open one.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // outerHTML swaps replace the target: find its successor by id.
    const id = event.detail.target && event.detail.target.id;
    const swapped = id ? document.getElementById(id) : null;
    if (!swapped || !swapped.matches(CARD)) return;
    if (swapped.hasAttribute("data-editing")) {
      const box = swapped.querySelector("textarea");
      if (box) box.focus();
      return;
    }
    focusCard(swapped);
    if (swapped.hasAttribute("data-done")) move(1);
  });

  // The server says how many drafts still wait (HX-Trigger: queueChanged): update the badges.
  document.body.addEventListener("queueChanged", function (event) {
    const count = event.detail && typeof event.detail.count === "number" ? event.detail.count : null;
    if (count === null) return;
    const badge = document.getElementById("queue-count");
    if (badge) {
      badge.textContent = String(count);
      badge.hidden = count === 0;
      badge.setAttribute("aria-label", count + " draft" + (count === 1 ? "" : "s") + " awaiting approval");
    }
    document.querySelectorAll('[data-tab-count="drafts"]').forEach(function (el) {
      el.textContent = String(count);
    });
    const ready = document.querySelector("[data-ready-count]");
    if (ready) ready.textContent = String(readyIds().length);
  });

  function readyIds() {
    return openCards()
      .filter(function (c) {
        return c.dataset.ready === "1";
      })
      .map(function (c) {
        return c.dataset.pk;
      });
  }

  // "Approve all": ask here with the count instead of on a second page; only cards still
  // open on the page are sent (the server checks each one again anyway).
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-approve-all]")) return;
    const ids = readyIds();
    if (!ids.length) {
      event.preventDefault();
      window.alert("No draft on this page is ready to approve.");
      return;
    }
    const question =
      "Approve " + ids.length + " draft" + (ids.length === 1 ? "" : "s") + "? Each goes out at its own time.";
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    form.querySelectorAll('input[name="ids"]').forEach(function (input) {
      if (ids.indexOf(input.value) === -1) input.remove();
    });
    const confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "on";
    form.appendChild(confirmed);
  });
})();
