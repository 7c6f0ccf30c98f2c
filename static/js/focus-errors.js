// After a form comes back with errors, put the keyboard and screen reader focus on the error
// summary (its links lead to each field), instead of leaving the reader at the top of the page.
const summary = document.querySelector("[data-testid='form-errors']");
if (summary) summary.focus();
