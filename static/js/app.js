// Home-Start records: page JavaScript (an ES module; no inline scripts, so a
// strict Content-Security-Policy with script-src 'self' works).
//
// govuk-frontend's page template sets these body classes with an inline
// <script>. We set them here instead. A browser that runs this file supports
// ES modules, which is govuk-frontend's test for "supported".
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();
