// Shows, while the reporter types, what the year-to-date total would become. Exact: works in cents.
(function () {
  "use strict";
  var FULL = "０１２３４５６７８９．，";
  var HALF = "0123456789.,";

  function cents(text) {
    var clean = "";
    for (var i = 0; i < text.length; i++) {
      var at = FULL.indexOf(text[i]);
      clean += at >= 0 ? HALF[at] : text[i];
    }
    clean = clean.replace(/[\s,]/g, "").replace(/。/g, ".");
    var m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(clean);
    if (!m) return null;
    return BigInt(m[1]) * 100n + BigInt(((m[2] || "") + "00").slice(0, 2));
  }

  function show(value) {
    var negative = value < 0n;
    var abs = negative ? -value : value;
    var whole = abs / 100n;
    var rest = (abs % 100n).toString().padStart(2, "0");
    return (negative ? "-" : "") + whole.toString() + "." + rest;
  }

  function rate(part, whole) {
    // part / whole as a percentage with 2 decimals, rounded half-up, trailing zeros dropped.
    if (whole <= 0n) return null;
    var basis = (part * 1000000n) / whole; // percent × 10^4
    var rounded = (basis + 50n) / 100n; // percent × 10^2, half-up
    var text = show(rounded);
    return text.replace(/\.?0+$/, "") || "0";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("id_amount");
    var out = document.querySelector("[data-ytd-before]");
    if (!input || !out) return;
    var before = cents(out.dataset.ytdBefore);
    var plan = out.dataset.annualPlan ? cents(out.dataset.annualPlan) : null;
    var rateOut = document.querySelector("[data-field=rate_after]");
    input.addEventListener("input", function () {
      var typed = input.value.trim() === "" ? 0n : cents(input.value.trim());
      if (before === null || typed === null) return;
      out.textContent = show(before + typed);
      if (rateOut && plan) {
        var r = rate(before + typed, plan);
        if (r !== null) rateOut.textContent = r;
      }
    });
  });
})();
