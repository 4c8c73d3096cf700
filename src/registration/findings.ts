/** Findings raised by `dvsol apply` (registration as code). */
import { defineFindings, argText as s } from "../findings/catalog.js";
import { RPI_VERSIONING } from "../plan/findings.js";

const DOC = "docs/registration.md";

defineFindings({
  REGISTRATION_NOT_LISTED: {
    severity: "info",
    title: "Registration not in the file: kept",
    message: (a) => `${s(a.kind)} "${s(a.name)}" (${s(a.id)}) ${s(a.scope)} is not in the registration file: kept (--prune would remove it)`,
    why: "Without --prune, `dvsol apply` only adds and updates: it never removes what the file does not list, so that a partial file cannot delete registrations by accident.",
    fix: "Add it to the registration file to keep it for good, or run `dvsol apply --prune` to remove what the file no longer lists.",
    source: `${DOC} (modes)`,
  },
  REGISTRATION_STEP_NOT_REPOINTED: {
    severity: "warning",
    title: "Step left on the previous assembly",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) still runs ${s(a.type)} of ${s(a.from)}; the file registers ${s(a.to)}, a different assembly for Dataverse (major or minor version changed), and the entry does not say "repoint": true`,
    why: "A change of the major or minor version makes a new assembly: existing steps keep running the old one until they are re-pointed, and moving them is a decision the file makes explicitly.",
    fix: `Add "repoint": true (and "retireOld": true to remove the old assembly once nothing uses it) to the assembly's entry in the registration file.`,
    source: RPI_VERSIONING,
  },
});
