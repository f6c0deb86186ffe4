// Assessment forms: keep the "not answered" mark in step with the answers (CSP: no inline script).
(function () {
  "use strict";
  function refresh(fieldset) {
    var answered = Array.prototype.some.call(
      fieldset.querySelectorAll("input"),
      function (input) { return (input.type === "radio" ? input.checked : input.value !== ""); }
    );
    fieldset.classList.toggle("unanswered", !answered);
  }
  document.addEventListener("change", function (event) {
    var fieldset = event.target.closest && event.target.closest("fieldset.item");
    if (fieldset) { refresh(fieldset); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset.item").forEach(refresh);
  });
})();
