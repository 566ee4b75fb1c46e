// The portal's own script. Progressive enhancement only: every page works
// without it. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  // <form data-confirm="Really?"> asks before submitting.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
    }
  }, true);

  // <button data-copy="text"> copies text to the clipboard.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-copy]");
    if (!btn || !navigator.clipboard) return;
    navigator.clipboard.writeText(btn.getAttribute("data-copy")).then(function () {
      var old = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = old; }, 1500);
    });
  });

  // <button data-busy="Working…"> says so and ignores further clicks once
  // its form is submitted (long Partner Center calls; the server is
  // idempotent anyway).
  document.addEventListener("submit", function (e) {
    var btn = e.submitter;
    if (e.defaultPrevented || !btn || !btn.hasAttribute("data-busy")) return;
    btn.textContent = btn.getAttribute("data-busy");
    btn.setAttribute("aria-busy", "true");
    setTimeout(function () { btn.disabled = true; }, 0);
  });

  // Flash messages can be dismissed.
  document.addEventListener("click", function (e) {
    var close = e.target.closest && e.target.closest("[data-dismiss]");
    if (close) {
      var box = close.closest(".flash");
      if (box) box.remove();
    }
  });
})();
