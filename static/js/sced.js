// SCED pages. htmx 2 does not swap 4xx answers by default; our forms answer 400 with the
// form re-displayed and its errors, so swap those (only for targets inside the SCED page).
document.body.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 400 || status === 409) && event.detail.target.closest("#entry-and-data, #results")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// After a value is saved, put the cursor back in the value field for the next one.
document.body.addEventListener("htmx:afterSwap", function (event) {
  if (event.detail.target.id === "entry-and-data" || event.detail.elt.id === "entry-and-data") {
    var field = document.querySelector("#entry-and-data input[name=entry-value]");
    if (field) { field.focus(); }
  }
});
// Choosing another measure puts its next expected session in the session field (the page lists
// each measure's next session with its phase; the server prefilled the first measure's).
document.body.addEventListener("change", function (event) {
  if (event.target.name !== "entry-measure") { return; }
  var data = document.getElementById("sced-next-sessions");
  var field = document.querySelector("#entry-and-data input[name=entry-session]");
  if (!data || !field) { return; }
  var next = JSON.parse(data.textContent)[event.target.value];
  if (next) { field.value = next; }
});
