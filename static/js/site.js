// Small progressive enhancements. Every page works without this file.
// A module, as all the project's own scripts are: deferred like them, strict, no globals.
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select?.form) {
    select.form.requestSubmit();
  }
});
