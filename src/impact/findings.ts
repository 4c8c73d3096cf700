/**
 * Reasons of the impact report (the verdict's "why"). Severity error: the import will fail (blocked);
 * warning: it succeeds but a person must act (attention); info: what the platform will do, for the record.
 * The wording lives only here; src/impact/plan.ts fills in the args.
 */
import { defineFindings, argText as s } from "../findings/catalog.js";

const RPI = "Microsoft Learn, \"Register a plug-in\" (assembly versioning; secure configuration is never exported).";
const UPD = "Microsoft Learn, \"Update solutions\" and \"Update solutions (ALM)\": upgrade, stage for upgrade, update.";

const fateText = (fate: unknown): string =>
  fate === "deleted"
    ? "the upgrade deletes it"
    : fate === "deleted-on-apply"
      ? "it stays (and keeps running) until the holding solution is applied, which deletes it"
      : "nothing deletes it: it stays registered and keeps running";

const whyLeft = (a: Record<string, unknown>): string => (a.effectiveMode === "unmanaged" ? "an unmanaged import deletes nothing" : "update mode replaces and deletes nothing");

defineFindings({
  // --- the solution --------------------------------------------------------------------------------
  IMPACT_SOLUTION_NAME_MISMATCH: {
    severity: "error",
    title: "Not the same solution",
    message: (a) => `the installed solution is "${s(a.installed)}" and the incoming one is "${s(a.incoming)}": importing it does not upgrade "${s(a.installed)}", it installs a second solution next to it`,
    why: "Dataverse matches an import to an installed solution by unique name. A different name is a different solution: nothing of the installed one is replaced or deleted, and components with the same ids get a second layer.",
    fix: "Compare the right files: the installed solution and the new build of the same solution (same UniqueName in solution.xml).",
    source: UPD,
  },
  IMPACT_PUBLISHER_MISMATCH: {
    severity: "error",
    title: "Different publisher",
    message: (a) => `the installed solution was published by "${s(a.installed)}", the incoming one by "${s(a.incoming)}": Dataverse refuses to update a solution from another publisher`,
    why: "A solution's publisher owns its components and their customization prefix; an update must come from the same publisher.",
    fix: "Export the solution from the environment where it is developed with its original publisher, or fix the Publisher block of solution.xml.",
    source: UPD,
  },
  IMPACT_VERSION_NOT_HIGHER: {
    severity: "error",
    title: "Version not higher than installed",
    message: (a) =>
      `incoming version ${s(a.incoming)} is ${a.comparison === "same" ? "the same as" : "lower than"} the installed ${s(a.installed)}: ` +
      (a.mode === "update"
        ? `Dataverse refuses a lower version of an installed managed solution; `
        : `${a.mode === "stage" ? "stage for upgrade" : "an upgrade"} fails with "The import solution must have a higher version than the existing solution it is upgrading"; `) +
      `raise ${s(a.part)}: ${s(a.installed)} -> ${s(a.conventional)}` +
      (a.minimal !== a.conventional ? ` or at least ${s(a.minimal)}` : ""),
    why: "A managed solution is upgraded only by a higher version; the version is also how environments are told apart.",
    fix: "Raise the version in solution.xml (`pac solution version` or dvsol's version command) and export or pack again.",
    source: UPD,
  },
  IMPACT_VERSION_SAME: {
    severity: "info",
    title: "Same version",
    message: (a) => `incoming version ${s(a.incoming)} is the same as installed: ${a.effectiveMode === "unmanaged" ? "an unmanaged import does not compare versions" : "update mode accepts it"}, but afterwards nothing tells the two builds apart`,
    why: "Two different builds with one version number make it impossible to know later which one an environment runs.",
    fix: "Raise the build or revision for every build that leaves your machine.",
    source: UPD,
  },
  IMPACT_VERSION_LOWER: {
    severity: "warning",
    title: "Lower version (unmanaged)",
    message: (a) => `incoming version ${s(a.incoming)} is lower than the installed ${s(a.installed)}: an unmanaged import does not check versions and replaces the installed components with older ones`,
    why: "An unmanaged import overwrites what it carries without looking at versions: an older build silently replaces a newer one.",
    fix: "Make sure this is the build you mean to import; raise its version if it is new.",
    source: UPD,
  },
  IMPACT_MANAGED_MISMATCH: {
    severity: "error",
    title: "Managed and unmanaged do not mix",
    message: (a) =>
      `the solution is installed ${a.installed ? "managed" : "unmanaged"} and the incoming package is ${a.incoming ? "managed" : "unmanaged"}: Dataverse refuses it ("Import can only update solutions when the modes match")`,
    why: "An installed solution keeps its kind. Unmanaged over managed, or managed over unmanaged, is refused; switching kinds means uninstalling first, which deletes the solution's components (and, for managed tables, their data).",
    fix: "Import the package of the same kind as the installed one (export both kinds, or pack with --packagetype), or plan the uninstall deliberately.",
    source: UPD,
  },
  IMPACT_PACKAGE_TYPE_BOTH: {
    severity: "info",
    title: "Package type Both",
    message: (a) => `${s(a.side)} is an unpacked folder with package type Both: the report assumes it is packed as managed, like the other side`,
    why: "A folder unpacked with package type Both can be packed either way; what the import does depends on which.",
    fix: "Compare the zip you will actually import for an exact answer.",
    source: "Reference page, section 5 (package type Both).",
  },
  IMPACT_UNMANAGED_IMPORT: {
    severity: "info",
    title: "Unmanaged import",
    message: (a) => `the incoming solution is unmanaged: import modes do not apply (--mode ${s(a.mode)} is ignored); the import creates and updates components and deletes none`,
    why: "Only managed solutions are upgraded; an unmanaged import merges into the environment's unmanaged layer.",
    fix: "Remove components that the new version dropped by hand, or ship a managed solution.",
    source: UPD,
  },
  IMPACT_STAGE_HOLDING: {
    severity: "info",
    title: "Stage for upgrade",
    message: (a) =>
      `stage for upgrade imports the new version as the holding solution "${s(a.holding)}": both versions stay installed, removed components keep running until the upgrade is applied (Apply Solution Upgrade), and another import of "${s(a.uniqueName)}" fails while the holding solution exists`,
    why: "A staged upgrade is finished only by applying it, which deletes the old version and its removed components.",
    fix: "Run data migration if any, then apply the upgrade (`pac solution upgrade` or Apply Solution Upgrade).",
    source: UPD,
  },

  // --- assemblies ------------------------------------------------------------------------------------
  IMPACT_ASSEMBLY_NEW_VERSION: {
    severity: "warning",
    title: "Major or minor assembly version changed",
    message: (a) =>
      `assembly ${s(a.assembly)} changes its ${s(a.part)} version ${s(a.from)} -> ${s(a.to)}: Dataverse registers ${s(a.to)} as a separate assembly; ` +
      (a.oldAssembly === "kept"
        ? `${s(a.from)} stays installed (the incoming solution still carries it)`
        : a.oldAssembly === "deleted"
          ? `${s(a.from)} is deleted at the end of the upgrade, which works only once no step uses it`
          : a.oldAssembly === "deleted-on-apply"
            ? `${s(a.from)} is deleted when the staged upgrade is applied, which works only once no step uses it`
            : `${s(a.from)} stays installed (nothing deletes it)`) +
      "; " +
      (Number(a.repoint) > 0 ? `${s(a.repoint)} installed step(s) still run ${s(a.from)} and must be re-pointed` : `the incoming solution re-points every installed step of ${s(a.from)}`),
    why: "A build or revision change is an in-place upgrade (steps follow). A major or minor change makes a different assembly: existing steps keep pointing at the old one until someone moves them, and steps of other solutions bound to it are not visible here.",
    fix: "Re-point the listed steps to the new plug-in types in the development environment and export again, or keep major.minor and raise only build or revision.",
    source: RPI,
  },
  IMPACT_STEP_NEEDS_REPOINT: {
    severity: "warning",
    title: "Step still bound to the old assembly",
    message: (a) =>
      a.reason === "left-behind"
        ? `step "${s(a.step)}" (${s(a.id)}) is not in the incoming solution and stays bound to ${s(a.assembly)} ${s(a.from)} (${whyLeft(a)}); re-point or delete it, or it keeps running the old code`
        : `step "${s(a.step)}" (${s(a.id)}) is still bound to ${s(a.type)} in ${s(a.assembly)} ${s(a.from)}, not to the new ${s(a.to)}: it keeps running the old code`,
    why: "After a major or minor version change the old assembly stays; only steps that are moved run the new code.",
    fix: "Re-point the step to the type in the new assembly (Plug-in Registration Tool or dvsol) and export again.",
    source: RPI,
  },
  IMPACT_ASSEMBLY_CONTENT_CHANGED: {
    severity: "warning",
    title: "Same assembly version, different content",
    message: (a) => `assembly ${s(a.assembly)} keeps version ${s(a.version)} but its DLL changed (SHA-256 ${s(a.fromHash)} -> ${s(a.toHash)}): Dataverse may keep the installed content, and nothing tells the two builds apart`,
    why: "The version is how the platform and people tell builds apart. Shipping new code under an old version leaves environments with different code and the same version.",
    fix: "Raise the assembly's build or revision number (AssemblyVersion) for every build that ships.",
    source: RPI,
  },
  IMPACT_ASSEMBLY_DOWNGRADE: {
    severity: "warning",
    title: "Assembly version goes down",
    message: (a) =>
      a.part === "major" || a.part === "minor"
        ? `assembly ${s(a.assembly)} goes down from ${s(a.from)} to ${s(a.to)} (${s(a.part)}): Dataverse registers the older one as a separate assembly next to ${s(a.from)}; installed steps stay on ${s(a.from)}`
        : `assembly ${s(a.assembly)} goes down from ${s(a.from)} to ${s(a.to)} (${s(a.part)}): Dataverse replaces the installed assembly with the older build in place and its steps follow`,
    why: "A lower assembly version usually means a wrong build was packed (an old artifact, a missing version stamp).",
    fix: "Check the build that produced the DLL; raise the version if the code is new.",
    source: RPI,
  },
  IMPACT_ASSEMBLY_ID_CHANGED: {
    severity: "warning",
    title: "Assembly registered under another id",
    message: (a) =>
      `assembly ${s(a.assembly)} ${s(a.version)} has id ${s(a.toId)} in the incoming solution and ${s(a.fromId)} installed: Dataverse identifies components by id and allows only one assembly per full name (ignoring build and revision), so the import may fail ("Plug-in assembly fullnames must be unique") or leave two registrations`,
    why: "The same DLL registered separately in two environments gets two ids; solutions then carry conflicting registrations of one assembly, and their types and steps get new ids too.",
    fix: "Register the assembly once, in the development environment, and move it to other environments only through the solution.",
    source: "Observed in real exports (PL-400 PermitManagement labs); SparkleXrm#476.",
  },
  IMPACT_ASSEMBLY_REMOVED: {
    severity: "info",
    title: "Assembly removed",
    message: (a) => `assembly ${s(a.assembly)} ${s(a.version)} is not in the incoming solution: ${fateText(a.fate)}`,
    why: "Upgrade deletes components missing from the new version; update and unmanaged imports delete nothing. An assembly cannot be deleted while steps (of any solution) use it.",
    fix: "Nothing if intended; check that no other solution's steps use it.",
    source: UPD,
  },
  IMPACT_TYPE_REMOVED_IN_USE: {
    severity: "error",
    title: "Removed plug-in type still in use",
    message: (a) =>
      `type ${s(a.type)} is no longer in assembly ${s(a.assembly)} ${s(a.to)}, but step "${s(a.step)}" (${s(a.stepId)}) ` +
      (a.how === "kept" ? "in the incoming solution still uses it" : `still uses it after the import (${whyLeft(a)})`) +
      `: the import fails with "Plug-in assembly does not contain the required types"`,
    why: "Dataverse will not replace an assembly's content with a DLL that lacks a type that registered steps use.",
    fix: "Delete or re-point the step in the development environment and export again; in the target, delete the step before importing if it only lives there.",
    source: "Pain #1 (powerapps-docs#450, xrm-ci-framework#157, PluginRegistration#12); " + RPI,
  },
  IMPACT_TYPE_REMOVED_NOT_DELETED: {
    severity: "error",
    title: "Removed plug-in type stays registered",
    message: (a) =>
      `type ${s(a.type)} is no longer in assembly ${s(a.assembly)} ${s(a.to)}, and ${whyLeft(a)}, so the type stays registered: the import fails with "Plug-in assembly does not contain the required types"`,
    why: "Dataverse will not replace an assembly's content with a DLL that lacks a registered type; only an upgrade deletes types.",
    fix: "Import as an upgrade, or delete the type (and its steps) in the target environment before importing.",
    source: "Pain #1 (powerapps-docs#450, Daxif#29); " + UPD,
  },
  IMPACT_TYPE_REMOVED: {
    severity: "warning",
    title: "Plug-in type removed",
    message: (a) =>
      `type ${s(a.type)} is no longer in assembly ${s(a.assembly)} ${s(a.to)} and no step of either solution uses it: ${fateText(a.fate)}; if a step of another solution or a process (workflow activity) still uses it, the import fails with "Plug-in assembly does not contain the required types"`,
    why: "Only what the two solutions carry is visible here; steps of other solutions and processes that use a workflow activity block the removal of its type.",
    fix: "Check the target for other steps and processes using the type before importing.",
    source: "Pain #1; " + RPI,
  },

  // --- steps -------------------------------------------------------------------------------------------
  IMPACT_STEP_REMOVED: {
    severity: "info",
    title: "Step removed",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) is not in the incoming solution: ${fateText(a.fate)}`,
    why: "Upgrade deletes components missing from the new version; stage for upgrade deletes them when applied.",
    fix: "Nothing if intended.",
    source: UPD,
  },
  IMPACT_IMAGE_REMOVED: {
    severity: "info",
    title: "Step image removed",
    message: (a) => `image "${s(a.image)}" of step "${s(a.step)}" (${s(a.id)}) is not in the incoming solution: ${fateText(a.fate)}`,
    why: "Images are part of their step; an upgrade deletes the ones the new version no longer has, update mode and unmanaged imports keep them (the plug-in keeps receiving them).",
    fix: "Nothing if intended; with update mode, delete the image in the target if the plug-in no longer reads it.",
    source: UPD,
  },
  IMPACT_STEP_LEFT_BEHIND: {
    severity: "warning",
    title: "Removed step stays and keeps running",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) is not in the incoming solution, but ${whyLeft(a)}: it stays registered and keeps running`,
    why: "Update mode and unmanaged imports never delete; a step dropped from the solution keeps firing in the target.",
    fix: "Import as an upgrade, or delete the step in the target after import.",
    source: "Pain #12 (powerplatform-actions#368, xrm-ci-framework#276); " + UPD,
  },
  IMPACT_STEP_DUPLICATE: {
    severity: "warning",
    title: "Left-behind step duplicates a new one",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) stays behind and runs the same type on the same message, table and stage as the incoming step "${s(a.other)}" (${s(a.otherId)}): the plug-in will run twice`,
    why: "A step re-created under a new id is a different step; the old one is not replaced.",
    fix: "Delete the old step in the target, or keep the step's id when re-registering it.",
    source: "Observed in real exports (PL-400 PermitManagement labs).",
  },
  IMPACT_STEP_DISABLED: {
    severity: "warning",
    title: "Step arrives disabled",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) is ${a.added ? "new and disabled" : "disabled in the incoming solution (enabled installed)"}: after import it does not run`,
    why: "The step's state travels with the solution; a disabled step silently stops the logic it carries.",
    fix: "Enable the step before export (or after import) if it should run.",
    source: "Pain #4 (dyn365-ce-vsts-tasks#28, xrm-ci-framework#115).",
  },
  IMPACT_STEP_IMPERSONATION: {
    severity: "warning",
    title: "Step runs as a named user",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) runs as user "${s(a.user)}" of the source environment: the user must exist in the target (matched by name) or the import fails or the step runs as someone else`,
    why: "ImpersonatingUserIdName names a user of the environment the solution was exported from.",
    fix: "Make sure the user exists in the target, or run the step as the calling user.",
    source: "Reference page, section 3 (Impersonation).",
  },
  IMPACT_STEP_RUNS_AS_SYSTEM: {
    severity: "info",
    title: "Step runs as SYSTEM",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) runs as SYSTEM, the built-in account every environment has`,
    why: "SYSTEM exists everywhere; recorded so that nobody has to look it up.",
    fix: "Nothing.",
    source: "Reference page, section 3 (Impersonation).",
  },
  IMPACT_SECURE_CONFIG: {
    severity: "warning",
    title: "Set secure configuration again (if used)",
    message: (a) =>
      `step "${s(a.step)}" (${s(a.id)}) ${a.why === "added" ? "is new" : a.why === "new-type" ? "runs a plug-in type that is new in this version" : "moves to another plug-in type or assembly"}: Dataverse never exports secure configuration, so dvsol cannot see whether it uses one; if it does, set it in the target after import`,
    why: "Secure configuration stays in the environment where it was typed; a new step (or one re-created for a new type) arrives without it.",
    fix: "Set the secure configuration of the step in the target (Plug-in Registration Tool or your deployment script).",
    source: "Pain #3 (xrm-ci-framework#42, coe-starter-kit#4377); " + RPI,
  },
  IMPACT_STEP_TYPE_MISSING: {
    severity: "error",
    title: "Step's plug-in type is not in the incoming solution",
    message: (a) =>
      `step "${s(a.step)}" (${s(a.id)}) runs ${s(a.type)}, which is neither in the incoming solution nor declared as a missing dependency` +
      (a.installedHas ? ` (the installed solution carries it, and ${a.fate === "deleted" ? "the upgrade deletes it" : "nothing keeps it there once the solution is replaced"})` : ""),
    why: "A step needs its plug-in type in the target; the import fails on the missing required component.",
    fix: "Add the assembly to the solution, or re-point the step, and export again.",
    source: "Reference page, section 7 (required components); pain #6.",
  },
  IMPACT_STEP_ENDPOINT_MISSING: {
    severity: "error",
    title: "Step's service endpoint is not in the incoming solution",
    message: (a) => `step "${s(a.step)}" (${s(a.id)}) posts to service endpoint ${s(a.endpoint)}, which is neither in the incoming solution nor declared as a missing dependency`,
    why: "A step bound to a service endpoint needs the endpoint in the target; the import fails on the missing required component.",
    fix: "Add the service endpoint to the solution and export again.",
    source: "Reference page, section 3 (ServiceEndpoint).",
  },

  // --- service endpoints -----------------------------------------------------------------------------
  IMPACT_ENDPOINT_SECRET: {
    severity: "warning",
    title: "Set the endpoint's secret",
    message: (a) =>
      `service endpoint "${s(a.endpoint)}" ${a.added ? "is new" : `changes ${s(a.fields)}`}: Dataverse never exports its ${s(a.secret)}, so set it in the target after import or the endpoint cannot send`,
    why: "SASKey, SASToken and AuthValue never leave the environment they were typed in.",
    fix: "Set the secret in the target (Plug-in Registration Tool, your deployment script, or Key Vault configuration).",
    source: "Reference page, section 3 (ServiceEndpoint: secrets are never exported).",
  },
  IMPACT_ENDPOINT_REMOVED: {
    severity: "info",
    title: "Service endpoint removed",
    message: (a) => `service endpoint "${s(a.endpoint)}" is not in the incoming solution: ${fateText(a.fate)}`,
    why: "Upgrade deletes components missing from the new version; update and unmanaged imports delete nothing.",
    fix: "Nothing if intended.",
    source: UPD,
  },

  // --- dependencies and findings ----------------------------------------------------------------------
  IMPACT_MISSING_DEPENDENCY: {
    severity: "warning",
    title: "New missing dependency",
    message: (a) => `the incoming solution requires ${s(a.required)}${a.solution ? ` from ${s(a.solution)}` : ""} (for ${s(a.dependent)}), which the installed version did not: install it in the target first or the import fails`,
    why: "MissingDependencies lists components the solution needs and does not carry. The installed version's own list was satisfied when it was imported; a new entry may not be.",
    fix: "Install the solution that carries the component in the target before importing (or remove the dependency in development).",
    source: "Pain #5 (coe-starter-kit#2500, powerapps-tools#564).",
  },
  IMPACT_MISSING_DEPENDENCY_KNOWN: {
    severity: "info",
    title: "Missing dependency already required",
    message: (a) => `the incoming solution requires ${s(a.required)}${a.solution ? ` from ${s(a.solution)}` : ""}; the installed version required it too, so the target had it when that version was imported`,
    why: "A dependency that the installed version declared was satisfied when it was imported, unless removed since.",
    fix: "Nothing, unless the component was removed from the target since.",
    source: "Pain #5.",
  },
  IMPACT_NEW_CHECK_FINDINGS: {
    severity: "warning",
    title: "New check findings",
    message: (a) => `dvsol check finds ${s(a.count)} problem(s) in the incoming solution that the installed one did not have (${s(a.errors)} error(s), ${s(a.warnings)} warning(s))`,
    why: "Registration problems that are new in this version are the ones this release introduces.",
    fix: "Run `dvsol check` on the incoming solution and fix or accept each finding.",
    source: "dvsol check.",
  },
});
