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
    } else if (status === 403) {
      flash("The request was refused (403). Reload the page and try again.");
    } else {
      flash("Something went wrong (HTTP " + status + "). Try again in a moment.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    flash("CloudOven could not be reached. Check your connection and try again.");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var el = document.getElementById("flash");
    if (el) el.hidden = true;
  });
})();
