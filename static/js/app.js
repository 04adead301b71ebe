// Home-Start records: page JavaScript (an ES module; no inline scripts, so a
// strict Content-Security-Policy with script-src 'self' works).
//
// govuk-frontend's page template sets these body classes with an inline
// <script>. We set them here instead. A browser that runs this file supports
// ES modules, which is govuk-frontend's test for "supported".
import { initAll } from "./govuk-frontend.min.js";
import "./forms.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();

// The staff navigation's groups are <details> menus and work without this.
// Here they also close on Escape (focus, if it was inside, goes back to the
// group's name) and when someone clicks or taps elsewhere on the page.
const navGroups = document.querySelectorAll(".app-nav-group__details");

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const group of navGroups) {
    if (!group.open) continue;
    const hadFocus = group.contains(document.activeElement);
    group.open = false;
    if (hadFocus) group.querySelector("summary").focus();
  }
});

document.addEventListener("click", (event) => {
  for (const group of navGroups) {
    if (group.open && !group.contains(event.target)) group.open = false;
  }
});
