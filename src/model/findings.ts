/** Findings raised while reading a solution (every command that reads one reports them). */
import { defineFindings, argText as s } from "../findings/catalog.js";

defineFindings({
  SECRET_IN_ENDPOINT: {
    severity: "warning",
    title: "Service endpoint carries a secret",
    message: (a) => `service endpoint "${s(a.endpoint)}" contains ${s(a.elements)}; secrets do not belong in source control or in a solution`,
    why: "Dataverse never exports SASKey, SASToken or AuthValue. A solution or folder that holds one leaks a credential to everyone who can read the repository or the artifact.",
    fix: "Remove the element from the file, rotate the secret, and set it in the target environment after import (or use Key Vault configuration).",
    source: "Reference page, section 3 (ServiceEndpoint): secrets are never exported.",
  },
});
