// Builds the portal and public site's CSS and copies GOV.UK Frontend's script, images and our fonts into
// assets/build/, which Django serves as static files. Nothing is fetched at run time.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "assets/build";
for (const dir of ["css", "js", "fonts"]) mkdirSync(`${out}/${dir}`, { recursive: true });

const css = sass.compile("assets/src/outturn.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/css/outturn.css`, css.css);

const govuk = "node_modules/govuk-frontend/dist/govuk";
cpSync(`${govuk}/govuk-frontend.min.js`, `${out}/js/govuk-frontend.min.js`);
cpSync(`${govuk}/assets/images`, `${out}/govuk/images`, { recursive: true });
for (const weight of ["400", "700"]) {
  const name = `source-sans-3-latin-${weight}-normal.woff2`;
  cpSync(`node_modules/@fontsource/source-sans-3/files/${name}`, `${out}/fonts/${name}`);
}
cpSync("assets/src/images", `${out}/images`, { recursive: true });
console.log(`Built ${out}/css/outturn.css (${css.css.length} bytes)`);
