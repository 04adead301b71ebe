// A submit button marked data-prevent-double-click="true" sends its form once: a
// second press (or Enter pressed twice) while the page is waiting for the answer is
// ignored, and the button says so (aria-disabled). The server does not rely on this:
// create forms carry a one-time token (homestart/once.py), so a form sent twice still
// creates one record. When the browser brings the page back from its cache (the Back
// button), the button works again.

const SENDING = "appSending";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter || form.querySelector("[data-prevent-double-click='true']");
  if (!button || button.dataset.preventDoubleClick !== "true") return;
  if (form.dataset[SENDING]) {
    event.preventDefault();
    return;
  }
  form.dataset[SENDING] = "true";
  button.setAttribute("aria-disabled", "true");
});

window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-app-sending]")) {
    delete form.dataset[SENDING];
    for (const button of form.querySelectorAll("[aria-disabled='true'][data-prevent-double-click]")) {
      button.removeAttribute("aria-disabled");
    }
  }
});
