// Copies govuk-frontend's minified ES module to ../static/js/govuk-frontend.min.js.
//
// The trailing `//# sourceMappingURL=` comment is removed: the .map file is not
// committed, and Django's ManifestStaticFilesStorage would fail collectstatic
// on a source map reference to a missing file.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("govuk-frontend/package.json"));
const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

const source = join(pkgDir, "dist", "govuk", "govuk-frontend.min.js");
const target = join(here, "..", "..", "static", "js", "govuk-frontend.min.js");

const js = readFileSync(source, "utf8").replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, "\n");
const banner = `/*! govuk-frontend v${version} | MIT licence | Crown copyright | https://github.com/alphagov/govuk-frontend */\n`;

mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, banner + js);
console.log(`Copied govuk-frontend v${version} JS to ${target}`);
