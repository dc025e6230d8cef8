// CloudOven's page script: tells the user when an htmx request fails in a way that has no
// fragment to show (a 500, a refused request, a dropped connection). Refused forms come back
// as 413/422 fragments and are swapped by htmx itself (see the htmx-config meta tag).
(function () {
  "use strict";
  function flash(message) {
    var el = document.getElementById("flash");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
  }
  document.addEventListener("htmx:responseError", function (e) {
    var status = e.detail && e.detail.xhr ? e.detail.xhr.status : 0;
    if (status === 404) {
      flash("That no longer exists (404). Reload the page.");
    } else if (status === 401) {
      flash("You are signed out. Sign in again to continue.");
    } else if (status === 429) {
      flash("Too many attempts (429). Wait a few minutes and try again.");
    } else if (status === 403) {
      flash("The request was refused (403). Reload the page and try again.");
    } else {
      flash("Something went wrong (HTTP " + status + "). Try again in a moment.");
    }
  });
  // Every htmx request carries the session's CSRF token (the server refuses a
  // state-changing request without it); plain forms carry it as a hidden field.
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && e.detail && e.detail.headers) e.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  });
  // A request that never reached CloudOven (a dropped connection, a server restarting) is
  // sent again when its element says that is safe (data-retry-send): the editor's item form
  // posts the whole item with the draft revision its author holds, so sending it again only
  // saves what the form shows. It is tried again 1, 2, 4, 8 and 16 s later, with the form as
  // it is then; after that the message stays until the author changes something. An answer
  // of any kind (even an error status) starts the count again.
  var retryDelays = [1000, 2000, 4000, 8000, 16000];
  var retried = new WeakMap();
  document.addEventListener("htmx:sendError", function (e) {
    var elt = e.detail && e.detail.elt;
    var n = elt ? retried.get(elt) || 0 : 0;
    if (!elt || !elt.hasAttribute("data-retry-send") || n >= retryDelays.length) {
      flash("CloudOven could not be reached. Check your connection and try again.");
      return;
    }
    retried.set(elt, n + 1);
    flash("CloudOven could not be reached. Trying again in " + retryDelays[n] / 1000 + " s.");
    setTimeout(function () {
      if (document.body.contains(elt)) htmx.trigger(elt, "change");
    }, retryDelays[n]);
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var d = e.detail;
    if (d && d.elt && d.xhr && d.xhr.status > 0) retried.delete(d.elt);
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var el = document.getElementById("flash");
    if (el) el.hidden = true;
  });

  // The editor: after each preview, put every diagnostic of the item being edited under
  // the field it belongs to (the preview lists them with data-item and data-field).
  function placeFieldErrors() {
    var formEl = document.getElementById("item-form");
    var preview = document.getElementById("preview");
    if (!formEl || !preview) return;
    var item = formEl.getAttribute("data-item");
    var slots = {};
    formEl.querySelectorAll("[data-error-for]").forEach(function (el) {
      slots[el.getAttribute("data-error-for")] = el;
      el.textContent = "";
      var field = el.closest(".field");
      if (field) field.classList.remove("has-error");
    });
    preview.querySelectorAll("li[data-field]").forEach(function (li) {
      if (li.getAttribute("data-item") !== item) return;
      var slot = slots[li.getAttribute("data-field")];
      if (!slot) return;
      var p = document.createElement("p");
      p.className = "field-error diagnostic-" + li.getAttribute("data-severity");
      p.setAttribute("data-testid", "field-error");
      p.textContent = li.getAttribute("data-summary");
      var detail = li.getAttribute("data-detail");
      if (detail) {
        var span = document.createElement("span");
        span.className = "muted";
        span.textContent = ": " + detail;
        p.appendChild(span);
      }
      slot.appendChild(p);
      var field = slot.closest(".field");
      if (field) field.classList.add("has-error");
    });
  }
  document.addEventListener("htmx:afterSettle", placeFieldErrors);

  // Folded sections (optional arguments, preview files) keep the state the user left them
  // in when htmx replaces the form or the preview. An environment's sections are left to
  // the server, which opens the one it answers for.
  function detailsKey(d) {
    return [d.getAttribute("data-testid"), d.getAttribute("data-key"), d.getAttribute("data-file")].join("|");
  }
  var folded = null;
  document.addEventListener("htmx:beforeSwap", function () {
    folded = {};
    document.querySelectorAll("details[data-testid]:not(.env-section)").forEach(function (d) {
      folded[detailsKey(d)] = d.open;
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!folded) return;
    document.querySelectorAll("details[data-testid]").forEach(function (d) {
      var k = detailsKey(d);
      if (Object.prototype.hasOwnProperty.call(folded, k)) d.open = folded[k];
    });
    folded = null;
  });
  // The editor's reference pickers: the filter box above a long list of references hides
  // the options that do not match what is typed (every word, anywhere in the reference or
  // its type). It has no name and its events stop here, in the capture phase, before the
  // item form's htmx trigger sees them: filtering posts nothing and no swap takes the focus.
  // Enter chooses the first match (a change event, which the form posts); the arrow keys
  // move into the list.
  function refFilterOf(el) {
    return el && el.matches && el.matches("input[data-ref-filter]") ? el : null;
  }
  function filterRefs(input) {
    var select = document.getElementById(input.getAttribute("data-ref-filter"));
    if (!select) return null;
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, first = null;
    select.querySelectorAll("optgroup").forEach(function (g) {
      var any = false;
      g.querySelectorAll("option").forEach(function (o) {
        var text = o.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        o.hidden = !match;
        if (match) {
          any = true;
          shown++;
          if (!first) first = o;
        }
      });
      g.hidden = !any;
    });
    var total = select.querySelectorAll("optgroup option").length;
    var count = document.getElementById(input.getAttribute("aria-describedby"));
    if (count) {
      count.textContent = words.length === 0
        ? total + " references fit this argument."
        : shown + " of " + total + " references match" + (shown > 0 ? "; Enter chooses " + first.value + "." : ".");
    }
    return first;
  }
  ["input", "change", "search"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var input = refFilterOf(e.target);
      if (!input) return;
      e.stopPropagation();
      filterRefs(input);
    }, true);
  });
  document.addEventListener("keydown", function (e) {
    var input = refFilterOf(e.target);
    if (!input) return;
    var select = document.getElementById(input.getAttribute("data-ref-filter"));
    if (!select) return;
    if (e.key === "Enter") {
      // Never the form's implicit submit.
      e.preventDefault();
      var first = filterRefs(input);
      if (first && select.value !== first.value) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      select.focus();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      select.focus();
    }
  }, true);

  // A link to something inside a closed section (#backend-heading after a save, an error
  // summary's link to its field) opens the section, so the target is shown.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    var d = el && el.closest("details");
    if (d) d.open = true;
  }
  document.addEventListener("DOMContentLoaded", openTarget);
  window.addEventListener("hashchange", openTarget);
  // A run's live log: the browser's own reconnect resumes by Last-Event-ID, but after an
  // error the SSE extension opens a new EventSource on the sse-connect URL, which carries
  // no Last-Event-ID. Keep that URL's after= at the last line shown, so either way the log
  // resumes with no gap and no repeat.
  document.addEventListener("htmx:sseMessage", function (e) {
    var id = e.detail && e.detail.lastEventId;
    var src = e.target && e.target.closest ? e.target.closest("[sse-connect]") : null;
    if (!id || !src) return;
    var u = new URL(src.getAttribute("sse-connect"), window.location.href);
    u.searchParams.set("after", id);
    src.setAttribute("sse-connect", u.pathname + u.search);
  });
})();
