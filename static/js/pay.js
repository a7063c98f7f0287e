/* The pay page: the hold's countdown, and Stripe's Payment Element when Stripe is on.
 * Configuration comes from the json_script "pay-config"; no inline code (CSP). The page
 * confirms nothing itself: Stripe sends the browser to the return address, where the
 * server asks Stripe for the payment's state. */
(function () {
  "use strict";
  var configElement = document.getElementById("pay-config");
  if (!configElement) return;
  var config = JSON.parse(configElement.textContent);
  var message = document.querySelector("[data-pay-message]");
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-pay-button]"));

  function say(text) {
    if (message) message.textContent = text || "";
  }

  function setBusy(busy) {
    buttons.forEach(function (button) {
      button.disabled = busy;
    });
  }

  // --- the hold's countdown -----------------------------------------------------------------
  var timer = document.querySelector("[data-hold-countdown]");
  var expiresAt = Date.parse(config.holdExpiresAt);
  var interval = null;

  function tick() {
    var left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    timer.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    timer.setAttribute("data-seconds-left", String(left));
    if (left === 0) {
      window.clearInterval(interval);
      timer.closest(".hold").classList.add("expired");
      setBusy(true);
      say(config.text.expired);
    }
  }

  if (timer && !isNaN(expiresAt)) {
    tick();
    interval = window.setInterval(tick, 1000);
  }

  // --- the demo's form: one submission ------------------------------------------------------
  var form = document.querySelector("[data-pay-form]");
  if (config.demo) {
    if (form) {
      form.addEventListener("submit", function () {
        // Disabled once the browser has taken the clicked button's value: one submission.
        window.setTimeout(function () {
          setBusy(true);
        }, 0);
      });
    }
    return;
  }

  // --- Stripe's Payment Element -------------------------------------------------------------
  if (typeof window.Stripe !== "function" || !form) {
    say(config.text.failed);
    setBusy(true);
    return;
  }
  var stripe = window.Stripe(config.publishableKey, { locale: config.locale });
  var elements = stripe.elements({ clientSecret: config.clientSecret });
  elements.create("payment").mount("#payment-element");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    setBusy(true);
    say("");
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: config.returnUrl } })
      .then(function (result) {
        // Only reached when confirmation fails at once (otherwise Stripe redirects).
        if (result.error) {
          say(result.error.message || config.text.failed);
          setBusy(false);
        }
      });
  });
})();
