// mfagate console: copy buttons and the countdown of a revealed code. No other script runs; the
// Content-Security-Policy allows scripts from the gateway only, never inline.
"use strict";
(function () {
  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      var text = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = text; }, 1500);
    });
  }

  // The countdown follows the TOTP step (its end, from the gateway), corrected by the offset between
  // the gateway's clock and this device's when the page arrived: not the time since page load.
  function countdown(box) {
    var stepEnd = Number(box.getAttribute("data-step-end"));
    var period = Number(box.getAttribute("data-period"));
    var offset = Number(box.getAttribute("data-server-now")) - Date.now();
    var next = box.getAttribute("data-next-code");
    var code = box.querySelector(".code");
    var seconds = box.querySelector(".seconds");
    var countdownLine = box.querySelector(".countdown");
    function tick() {
      var now = (Date.now() + offset) / 1000;
      var left = Math.ceil(stepEnd - now);
      if (left <= 0 && next) {
        code.textContent = next;
        next = "";
        stepEnd += period;
        var nextLine = box.querySelector(".next");
        if (nextLine) { nextLine.remove(); }
        left = Math.ceil(stepEnd - now);
      }
      if (left <= 0) {
        box.classList.add("expired");
        countdownLine.textContent = "Expired: ask for a new code below.";
        return;
      }
      seconds.textContent = String(left);
      setTimeout(tick, 250);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () { copy(b); });
    });
    document.querySelectorAll(".revealed[data-step-end]").forEach(countdown);
  });
})();
