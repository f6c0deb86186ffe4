// Treatment pages. No inline scripts (CSP): behaviour is attached here.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
