// Checks xAPI statements with @learninglocker/xapi-validation (a dev dependency of ui/, never
// shipped). Reads a JSON array of statements on stdin; prints one JSON line per problem
// ({"index", "warning", "path", "data"}) and exits 1 when there is any, 0 when all are valid.
// Used by the LRS tests (crates/crossway-cli/tests/lrs.rs).
const path = require("path");
const validate = require(path.join(__dirname, "../ui/node_modules/@learninglocker/xapi-validation")).default;
const statements = JSON.parse(require("fs").readFileSync(0, "utf8"));
let problems = 0;
statements.forEach((s, index) => {
  for (const w of validate(s)) {
    problems += 1;
    console.log(JSON.stringify({ index, warning: w.constructor.name, type: w.typeName || null, path: w.path.join("."), data: w.data }));
  }
});
process.exit(problems ? 1 : 0);
