#!/usr/bin/env node
import { main } from "../dist/cli/main.js";
// A reader that goes away (`dvsol inspect x.zip --json | head`) ends the run quietly, as other Unix tools do,
// instead of an EPIPE stack trace.
for (const s of [process.stdout, process.stderr]) {
  s.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}
main(process.argv).then((code) => { process.exitCode = code; });
