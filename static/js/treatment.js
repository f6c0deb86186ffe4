// Treatment pages. No inline scripts (CSP): behaviour is attached here.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// After an up/down move of a hierarchy step the page reloads at #move-up-<id> (or down): put
// the keyboard focus back on that button, or on the other one when the step reached the end.
document.addEventListener("DOMContentLoaded", () => {
  const match = /^#move-(up|down)-(\d+)$/.exec(window.location.hash);
  if (!match) return;
  const [, direction, id] = match;
  const other = direction === "up" ? "down" : "up";
  const target = [`move-${direction}-${id}`, `move-${other}-${id}`]
    .map((name) => document.getElementById(name))
    .find((el) => el && !el.disabled);
  if (target) target.focus();
});
