/**
 * Registration edits: add assembly|step|endpoint|image, update step, enable|disable step,
 * remove step|image|endpoint|assembly, version. Each edits a zip or an unpacked folder in place
 * (atomically, under a lock) or writes --out; --dry-run prints the plan; --json prints it as data.
 */
import type { Command } from "commander";
import type { RegisterCommand } from "./index.js";
import type { CommandContext } from "../main.js";
import { limitOptions, limitsFrom } from "./shared.js";

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface CommonOpts {
  dryRun?: boolean;
  json?: boolean;
  out?: string;
  [k: string]: unknown;
}

function common(cmd: Command): Command {
  cmd
    .option("--dry-run", "print the plan (what would be added, changed, removed, and every finding) and write nothing")
    .option("--json", "print the plan and result as JSON")
    .option("--out <path>", "write the result here (a .zip, or a new folder) instead of editing the solution in place");
  return limitOptions(cmd);
}

async function report(ctx: CommandContext, o: CommonOpts, run: (run: { dryRun?: boolean; out?: string; limits: Record<string, number> }) => Promise<import("../../edit/ops.js").EditResult>): Promise<void> {
  const { formatEditText, editJson } = await import("../../edit/format.js");
  const io = ctx.io();
  const r = await run({ dryRun: !!o.dryRun, out: o.out, limits: limitsFrom(o) });
  io.out(o.json ? JSON.stringify(editJson(r), null, 2) : formatEditText(r));
}

function activityNames(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw Object.assign(new Error(`--activity-name takes <Class>=<Name>, not "${item}"`), { usage: true });
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

async function usageError(message: string): Promise<never> {
  const { DvsolError } = await import("../../errors.js");
  throw new DvsolError("USAGE_BAD_OPTION", message);
}

function stepOptions(cmd: Command, forUpdate: boolean): Command {
  const stage = forUpdate ? "--stage <stage>" : "--stage <stage>";
  cmd
    .option("--type <type>", "plug-in type: full class name, a short name unique in the solution, or \"Class, Assembly, Version=...\"")
    .option("--message <Message>", "SDK message: Create, Update, Delete, Assign, SetState, ... (custom messages: also --message-id)")
    .option("--message-id <guid>", "the message's id in the target environment (custom actions and custom APIs)")
    .option("--entity <table>", "primary table logical name (leave out for \"any Entity\")")
    .option(stage, "prevalidation | preoperation | postoperation")
    .option("--mode <mode>", "sync | async (async only in postoperation)" + (forUpdate ? "" : "; default sync"))
    .option("--rank <N>", "execution order among steps on the same message, table and stage" + (forUpdate ? "" : "; default 1"))
    .option("--filter <a,b>", "filtering attributes (Update only): the step runs only when one of these columns changes")
    .option("--unsecure-config <text>", "unsecure configuration passed to the plug-in's constructor" + (forUpdate ? " (\"\" removes it)" : ""))
    .option("--config <text>", "the same as --unsecure-config, after the subcommand (before it, --config names the rules file)")
    .option("--name <name>", "step name" + (forUpdate ? "" : " (default \"<Type>: <Message> of <table>\", as the Plug-in Registration Tool writes)"))
    .option("--description <text>", "description" + (forUpdate ? "" : " (default: the name)"))
    .option("--secondary-entity <table>", "secondary table (backward compatibility only)")
    .option("--endpoint <name|id>", "run a service endpoint (Service Bus, Event Hub, webhook) instead of a plug-in type; it must be in the solution (dvsol add endpoint)")
    .option("--async-auto-delete", "delete the system job of a successful asynchronous run")
    .option("--deployment <where>", "server | outlook | both" + (forUpdate ? "" : "; default server"))
    .option("--impersonate <user name>", "run as this user of the environment (name as exported, e.g. SYSTEM)" + (forUpdate ? "; \"\" runs as the calling user" : ""));
  if (forUpdate) cmd.option("--no-async-auto-delete", "keep the system jobs of successful asynchronous runs");
  return cmd;
}

/**
 * `--unsecure-config <text>` is the step's unsecure configuration. Its older name `--config <text>` is also the
 * global `--config <file>`, and commander gives program options to the program wherever they appear: an
 * occurrence after the subcommand is the step's configuration, taken from the raw arguments (the global cleared).
 */
async function stepConfig(cmd: Command, o: Record<string, unknown>): Promise<void> {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const raw = ((root as unknown as { rawArgs?: string[] }).rawArgs ?? []).slice(2);
  const at = raw.findIndex((a, i) => a === "step" && (raw[i - 1] === "add" || raw[i - 1] === "update"));
  if (at < 0) return;
  for (let i = at + 1; i < raw.length; i++) {
    const a = raw[i]!;
    if (a === "--") break;
    if (a === "--config" && i + 1 < raw.length) {
      o.config = raw[i + 1];
      i++;
    } else if (a.startsWith("--config=")) o.config = a.slice("--config=".length);
  }
  if (o.config !== undefined) root.setOptionValue("config", undefined);
  if (o.unsecureConfig !== undefined) {
    if (o.config !== undefined && o.config !== o.unsecureConfig) {
      await usageError("--unsecure-config and --config (its other name) give different values; use --unsecure-config only");
    }
    o.config = o.unsecureConfig;
  }
}

function stepFields(o: Record<string, unknown>) {
  const str = (k: string) => (o[k] === undefined ? undefined : String(o[k]));
  return {
    type: str("type"),
    message: str("message"),
    messageId: str("messageId"),
    entity: str("entity"),
    stage: str("stage"),
    mode: str("mode"),
    rank: str("rank"),
    filter: str("filter"),
    config: str("config"),
    name: str("name"),
    description: str("description"),
    secondaryEntity: str("secondaryEntity"),
    endpoint: str("endpoint"),
    asyncAutoDelete: o.asyncAutoDelete === undefined ? undefined : !!o.asyncAutoDelete,
    deployment: str("deployment"),
    impersonate: str("impersonate"),
  };
}

export const registerEdit: RegisterCommand = (program, ctx) => {
  // ---- add ----------------------------------------------------------------------------------------------
  const add = program.command("add").description("Register a plug-in assembly, a step, an image or a service endpoint in a solution (zip or unpacked folder)");

  const asm = add
    .command("assembly")
    .description("Add or upgrade a plug-in assembly, following the platform's assembly versioning rules (in-place upgrade for build/revision, a new assembly for major/minor)")
    .argument("<solution>", "solution zip or unpacked folder")
    .argument("<file.dll>", "the compiled plug-in assembly")
    .option("--repoint", "major/minor change: move the steps of the old assembly to the same-named types of the new one")
    .option("--retire-old", "major/minor change: remove the old assembly (and its root component and DLL) once no step uses it")
    .option("--allow-downgrade", "accept a version lower than the solution's")
    .option("--allow-key-change", "accept a DLL signed with another key (changes the public key token where the identity is written)")
    .option("--id <guid>", "id of a new assembly (default: derived from its name and major.minor)")
    .option("--activity-name <Class=Name>", "display name of a custom workflow activity (repeatable; default: the class name)", collect)
    .option("--activity-group <group>", "WorkflowActivityGroupName of new workflow activities (default \"<Assembly> (<version>)\")")
    .option("--ref <dir>", "folder with referenced assemblies, to follow base classes (repeatable)", collect);
  common(asm);
  asm.addHelpText(
    "after",
    `
Examples:
  $ dvsol add assembly src/ContosoSolution bin/Release/net462/Contoso.Plugins.dll
  $ dvsol add assembly ContosoSolution_1_0_0_0.zip Contoso.Plugins.dll --repoint --retire-old --dry-run
`,
  );
  asm.action(async (solution: string, file: string, o: CommonOpts) => {
    const { addAssembly } = await import("../../edit/ops.js");
    let names: Record<string, string> | undefined;
    try {
      names = activityNames(o.activityName as string[] | undefined);
    } catch (e) {
      await usageError((e as Error).message);
    }
    await report(ctx, o, (run) =>
      addAssembly(solution, file, {
        ...run,
        repoint: !!o.repoint,
        retireOld: !!o.retireOld,
        allowDowngrade: !!o.allowDowngrade,
        allowKeyChange: !!o.allowKeyChange,
        id: o.id as string | undefined,
        activityNames: names,
        activityGroup: o.activityGroup as string | undefined,
        refDirs: (o.ref as string[] | undefined) ?? [],
      }),
    );
  });

  const step = add
    .command("step")
    .description("Register a step (and its images) for a plug-in type or a service endpoint; adds the type's assembly as a required component from --assembly")
    .argument("<solution>", "solution zip or unpacked folder");
  stepOptions(step, false)
    .option("--image <pre|post|both:alias[:col,col]>", "an image; repeatable (e.g. pre:PreImage:name,statuscode)", collect)
    .option("--id <guid>", "step id (default: derived from assembly, type, message, table, stage, mode and name)")
    .option("--assembly <file.dll>", "the DLL of the type's assembly: added to the solution when it is not there (a required component)")
    .option("--no-required", "do not add required components; record them as missing dependencies instead")
    .option("--type-id <guid>", "with --no-required: the plug-in type's id in the target environment")
    .option("--required-solution <\"Name (1.0.0.0)\">", "with --no-required: the solution that carries the required component")
    .option("--ref <dir>", "with --assembly: folder with referenced assemblies (repeatable)", collect);
  common(step);
  step.addHelpText(
    "after",
    `
Examples:
  $ dvsol add step src/PL400Demos --type DemoPlugin.ValidatePetTrick --message Update --entity dem_petrrick \\
      --stage preoperation --filter dem_name,dem_level --image pre:PreImage:dem_name
  $ dvsol add step Contoso.zip --type AccountPostUpdate --assembly bin/Contoso.Plugins.dll --message Update \\
      --entity account --stage postoperation --mode async --async-auto-delete
  $ dvsol add step src/PL400Demos --endpoint "trickqueue pl400demosajs202307" --message Create --entity dem_trick \\
      --stage postoperation --mode async
`,
  );
  step.action(async (solution: string, o: CommonOpts) => {
    const { addStep } = await import("../../edit/ops.js");
    await stepConfig(step, o);
    await report(ctx, o, (run) =>
      addStep(solution, {
        ...run,
        ...stepFields(o),
        images: (o.image as string[] | undefined) ?? [],
        id: o.id as string | undefined,
        assemblyFile: o.assembly as string | undefined,
        noRequired: o.required === false,
        typeId: o.typeId as string | undefined,
        requiredSolution: o.requiredSolution as string | undefined,
        refDirs: (o.ref as string[] | undefined) ?? [],
      }),
    );
  });

  const ep = add
    .command("endpoint")
    .description("Register an Azure-aware service endpoint: Service Bus queue/topic/relay, Event Hub, webhook or Event Grid (secrets are never written)")
    .argument("<solution>", "solution zip or unpacked folder")
    .requiredOption("--name <name>", "endpoint name")
    .requiredOption("--contract <contract>", "queue | topic | oneway | twoway | rest | eventhub | webhook | eventgrid")
    .option("--namespace <name|sb://address>", "Service Bus / Event Hub namespace (name, or sb://name.servicebus.windows.net/)")
    .option("--path <path>", "queue, topic or event hub name")
    .option("--auth <type>", "sas-key | sas-token | webhook-key | http-header | http-query | connection-string | access-key (default: sas-key; webhook-key for webhooks)")
    .option("--sas-key-name <name>", "shared access policy name (sas-key authentication)")
    .option("--message-format <format>", "json | xml | binary (default json)")
    .option("--user-claim <claim>", "none | userid | userinfo (default none)")
    .option("--url <https://...>", "webhook or Event Grid topic address")
    .option("--description <text>", "description")
    .option("--id <guid>", "endpoint id (default: derived from the name)")
    .option("--sas-key <key>", "refused: secrets never go into a solution")
    .option("--sas-token <token>", "refused: secrets never go into a solution")
    .option("--auth-value <value>", "refused: secrets never go into a solution");
  common(ep);
  ep.addHelpText(
    "after",
    `
Examples:
  $ dvsol add endpoint src/PL400Demos --name "trickqueue" --contract queue --namespace pl400demosajs202307 \\
      --path trickqueue --sas-key-name All --message-format xml
  $ dvsol add endpoint Contoso.zip --name "Order webhook" --contract webhook --url https://contoso.azurewebsites.net/api/orders
`,
  );
  ep.action(async (solution: string, o: CommonOpts) => {
    const { addEndpoint } = await import("../../edit/ops.js");
    const s = (k: string) => (o[k] === undefined ? undefined : String(o[k]));
    await report(ctx, o, (run) =>
      addEndpoint(
        solution,
        {
          name: String(o.name),
          contract: String(o.contract),
          namespace: s("namespace"),
          path: s("path"),
          auth: s("auth"),
          sasKeyName: s("sasKeyName"),
          messageFormat: s("messageFormat"),
          userClaim: s("userClaim"),
          url: s("url"),
          description: s("description"),
          id: s("id"),
          sasKey: s("sasKey"),
          sasToken: s("sasToken"),
          authValue: s("authValue"),
        },
        run,
      ),
    );
  });

  const img = add
    .command("image")
    .description("Add images to a step")
    .argument("<solution>", "solution zip or unpacked folder")
    .argument("<image...>", "pre|post|both:<alias>[:<col,col>] (no columns: all columns)")
    .requiredOption("--step <id|name>", "the step")
    .option("--message <Message>", "the step's message name, when its id is not in dvsol's catalog (custom messages)");
  common(img);
  img.addHelpText("after", `\nExample:\n  $ dvsol add image src/PL400Demos --step "DemoPlugin.ValidatePetTrick: Update of dem_petrrick" pre:PreImage:dem_name,dem_level\n`);
  img.action(async (solution: string, images: string[], o: CommonOpts) => {
    const { addImage } = await import("../../edit/ops.js");
    await report(ctx, o, (run) => addImage(solution, String(o.step), images, { ...run, message: o.message as string | undefined }));
  });

  // ---- update ------------------------------------------------------------------------------------------------
  const update = program.command("update").description("Change an existing component of a solution");
  const us = update
    .command("step")
    .description("Change fields of a step (rank, filters, configuration, stage, mode, impersonation...), touching only those elements")
    .argument("<solution>", "solution zip or unpacked folder")
    .argument("<step>", "step id or name");
  stepOptions(us, true);
  common(us);
  us.addHelpText("after", `\nExamples:\n  $ dvsol update step src/PL400Demos "DemoPlugin.ValidatePetTrick: Create of dem_petrrick" --rank 5 --unsecure-config "strict=true"\n  $ dvsol update step Contoso.zip 64ea8779-2726-ee11-9966-00224823910f --stage postoperation --mode async\n`);
  us.action(async (solution: string, ref: string, o: CommonOpts) => {
    const { updateStep } = await import("../../edit/ops.js");
    await stepConfig(us, o);
    await report(ctx, o, (run) => updateStep(solution, ref, { ...run, ...stepFields(o) }));
  });

  // ---- enable / disable ----------------------------------------------------------------------------------------
  for (const enabled of [true, false]) {
    const verb = enabled ? "enable" : "disable";
    const group = program.command(verb).description(`${enabled ? "Enable" : "Disable"} a step (StateCode/StatusCode)`);
    const c = group
      .command("step")
      .description(`${enabled ? "Enable" : "Disable"} a step: StateCode ${enabled ? "0" : "1"}, StatusCode ${enabled ? "1" : "2"}. Microsoft's own steps are refused`)
      .argument("<solution>", "solution zip or unpacked folder")
      .argument("<step>", "step id or name");
    common(c);
    c.addHelpText("after", `\nExample:\n  $ dvsol ${verb} step src/PL400Demos "DemoPlugin.ValidatePetTrick: Create of dem_petrrick"\n`);
    c.action(async (solution: string, ref: string, o: CommonOpts) => {
      const { setStepState } = await import("../../edit/ops.js");
      await report(ctx, o, (run) => setStepState(solution, ref, enabled, run));
    });
  }

  // ---- remove -----------------------------------------------------------------------------------------------------
  const remove = program.command("remove").description("Remove a step, image, service endpoint or assembly from a solution");
  const kinds: { kind: "step" | "image" | "endpoint" | "assembly"; what: string; example: string }[] = [
    { kind: "step", what: "a step, its images and its root component", example: `dvsol remove step src/PL400Demos "DemoPlugin.ValidatePetTrick: Create of dem_petrrick"` },
    { kind: "image", what: "an image of a step", example: `dvsol remove image src/PL400Demos PreImage --step "DemoPlugin.ValidatePetTrick: Update of dem_petrrick"` },
    { kind: "endpoint", what: "a service endpoint (refused while steps use it, unless --cascade)", example: `dvsol remove endpoint src/PL400Demos "trickqueue pl400demosajs202307" --cascade` },
    { kind: "assembly", what: "an assembly, its types, DLL and root component (refused while steps use it, unless --cascade)", example: `dvsol remove assembly Contoso.zip "DemoPlugin, Version=1.0.0.0"` },
  ];
  for (const k of kinds) {
    const c = remove
      .command(k.kind)
      .description(`Remove ${k.what}`)
      .argument("<solution>", "solution zip or unpacked folder")
      .argument("<ref>", "id or name");
    if (k.kind === "endpoint" || k.kind === "assembly") c.option("--cascade", "also remove the steps that use it");
    if (k.kind === "image") c.option("--step <id|name>", "the step the image belongs to (when several steps have an image of that name)");
    common(c);
    c.addHelpText("after", `\nExample:\n  $ ${k.example}\n`);
    c.action(async (solution: string, ref: string, o: CommonOpts) => {
      const { removeComponent } = await import("../../edit/ops.js");
      await report(ctx, o, (run) => removeComponent(solution, k.kind, ref, { ...run, cascade: !!o.cascade, step: o.step as string | undefined }));
    });
  }

  // ---- version ------------------------------------------------------------------------------------------------------
  const ver = program
    .command("version")
    .description("Change the solution version, only where it is written (the <Version> text of solution.xml; nothing else reformatted)")
    .argument("<solution>", "solution zip or unpacked folder")
    .option("--bump <part>", "major | minor | build | revision (the lower parts reset to 0)")
    .option("--set <a.b.c.d>", "set this version");
  common(ver);
  ver.addHelpText("after", `\nExamples:\n  $ dvsol version src/PL400Demos --bump revision\n  $ dvsol version PL400Demos_1_0_24_0.zip --set 1.0.25.0 --out PL400Demos_1_0_25_0.zip\n`);
  ver.action(async (solution: string, o: CommonOpts) => {
    const { setVersion } = await import("../../edit/ops.js");
    await report(ctx, o, (run) => setVersion(solution, { bump: o.bump as string | undefined, set: o.set as string | undefined }, run));
  });
};
