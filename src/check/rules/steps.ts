/** Rules on a step's own registration: stage and mode, message and table, filters, settings. */
import type { Finding } from "../../findings/types.js";
import type { Step } from "../../model/types.js";
import { EVENT_HANDLER_SERVICE_ENDPOINT } from "../../model/types.js";
import type { RuleContext } from "../context.js";

const VALID_STAGES = new Set([10, 20, 40]);
const ADDRESS_TABLES: Record<string, string> = {
  customeraddress: "account or contact",
  leadaddress: "lead",
  publisheraddress: "publisher",
  competitoraddress: "competitor",
};
/** Activity tables whose primary key is activityid rather than <table>id. */
const ACTIVITY_TABLES = new Set([
  "activitypointer",
  "appointment",
  "campaignactivity",
  "campaignresponse",
  "email",
  "fax",
  "letter",
  "phonecall",
  "recurringappointmentmaster",
  "serviceappointment",
  "socialactivity",
  "task",
]);

const msgArgs = (ctx: RuleContext, s: Step) => {
  const m = ctx.message(s);
  return { message: m.name, messageSource: m.source };
};

export function stageAndModeRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const s of ctx.sol.steps) {
    const base = { step: ctx.stepName(s), stage: s.stage, mode: s.mode };
    const ref = ctx.stepRef(s);
    if (s.stage !== null && !VALID_STAGES.has(s.stage)) {
      if (s.stage === 30) out.push(ctx.make("STEP_STAGE_MAINOPERATION", base, ref, ctx.where(s.loc, "Stage")));
      else if (s.stage === 50) out.push(ctx.make("STEP_STAGE_DEPRECATED", base, ref, ctx.where(s.loc, "Stage")));
      else out.push(ctx.make("STEP_STAGE_RESERVED", base, ref, ctx.where(s.loc, "Stage")));
    }
    // Stage 50 is itself a (deprecated) post-operation stage: reported above, not twice.
    if (s.mode === 1 && s.stage !== null && s.stage !== 40 && s.stage !== 50) {
      out.push(ctx.make("STEP_ASYNC_NOT_POSTOPERATION", base, ref, ctx.where(s.loc, "Mode")));
    }
  }
  return out;
}

export function messageRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const s of ctx.sol.steps) {
    const ref = ctx.stepRef(s);
    const m = ctx.message(s);
    const args = { step: ctx.stepName(s), entity: s.primaryEntity, ...msgArgs(ctx, s) };
    if (!s.messageId && !s.messageName) {
      out.push(ctx.make("STEP_NO_MESSAGE", { step: ctx.stepName(s), nameSuggests: m.name }, ref, ctx.where(s.loc, "SdkMessageId")));
    }
    if (!m.name) continue;
    if (m.info?.perTable && !s.primaryEntity) {
      out.push(ctx.make("STEP_NO_PRIMARY_ENTITY", args, ref, ctx.where(s.loc, "PrimaryEntity")));
    }
    if (s.filteringAttributes.length && !m.info?.filteringAttributes) {
      out.push(ctx.make("STEP_FILTER_WRONG_MESSAGE", { ...args, attributes: s.filteringAttributes }, ref, ctx.where(s.loc, "FilteringAttributes")));
    }
    if (m.name === "Update" && s.filteringAttributes.length === 0) {
      out.push(ctx.make("STEP_UPDATE_NO_FILTER", args, ref, ctx.where(s.loc, "FilteringAttributes")));
    }
    if (m.name === "Create" && s.primaryEntity?.toLowerCase() === "systemuser" && s.mode === 0) {
      out.push(ctx.make("STEP_SYSTEMUSER_CREATE_SYNC", args, ref, ctx.where(s.loc, "Mode")));
    }
  }
  return out;
}

export function filterPrimaryKeyRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const s of ctx.sol.steps) {
    const entity = s.primaryEntity?.toLowerCase();
    if (!entity || !s.filteringAttributes.length) continue;
    const keys = new Set([`${entity}id`]);
    if (ACTIVITY_TABLES.has(entity)) keys.add("activityid");
    for (const col of s.filteringAttributes) {
      if (keys.has(col.toLowerCase())) {
        out.push(ctx.make("STEP_FILTER_PRIMARY_KEY", { step: ctx.stepName(s), column: col, entity: s.primaryEntity }, ctx.stepRef(s), ctx.where(s.loc, "FilteringAttributes")));
      }
    }
  }
  return out;
}

export function tableAndSettingsRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const s of ctx.sol.steps) {
    const ref = ctx.stepRef(s);
    const step = ctx.stepName(s);
    const entity = s.primaryEntity?.toLowerCase();
    if (entity && ADDRESS_TABLES[entity]) {
      out.push(ctx.make("STEP_ADDRESS_ENTITY", { step, entity: s.primaryEntity, parent: ADDRESS_TABLES[entity]! }, ref, ctx.where(s.loc, "PrimaryEntity")));
    }
    if (s.secondaryEntity && s.secondaryEntity.trim().toLowerCase() !== "none") {
      out.push(ctx.make("STEP_SECONDARY_ENTITY", { step, entity: s.secondaryEntity }, ref, ctx.where(s.loc, "SecondaryEntity")));
    }
    if (s.supportedDeployment === 1 || s.supportedDeployment === 2) {
      out.push(ctx.make("STEP_OUTLOOK_OFFLINE", { step, deployment: s.supportedDeployment }, ref, ctx.where(s.loc, "SupportedDeployment")));
    }
    if (s.impersonatingUserIdName) {
      out.push(ctx.make("STEP_IMPERSONATION", { step, user: s.impersonatingUserIdName }, ref, ctx.where(s.loc, "ImpersonatingUserIdName")));
    }
    const toEndpoint = s.eventHandler !== null || s.eventHandlerTypeCode === EVENT_HANDLER_SERVICE_ENDPOINT;
    if (toEndpoint && s.mode === 0) {
      const ep = ctx.sol.endpoints.find((e) => e.id === s.eventHandler);
      out.push(ctx.make("STEP_SYNC_ENDPOINT", { step, endpoint: ep?.name ?? s.eventHandler }, ref, ctx.where(s.loc, "Mode")));
    }
  }
  return out;
}

/**
 * Execution order. Only synchronous steps are compared: asynchronous steps run in the asynchronous
 * service in no guaranteed order whatever their rank. Steps whose message cannot be told are grouped
 * by their raw message id, so two steps on the same custom message still compare.
 */
export function rankRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const groups = new Map<string, Step[]>();
  for (const s of ctx.sol.steps) {
    if (s.mode !== 0 || s.stage === null) continue;
    const m = ctx.message(s);
    const msgKey = m.source === "id" || m.source === "sdkMessageName" ? `n:${m.name!.toLowerCase()}` : s.messageId ? `i:${s.messageId}` : m.name ? `n:${m.name.toLowerCase()}` : null;
    if (!msgKey) continue;
    const key = `${msgKey}|${(s.primaryEntity ?? "").toLowerCase()}|${s.stage}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const steps of groups.values()) {
    if (steps.length < 2) continue;
    const byRank = new Map<number, Step[]>();
    for (const s of steps) byRank.set(s.rank ?? 1, [...(byRank.get(s.rank ?? 1) ?? []), s]);
    for (const [rank, same] of byRank) {
      for (const s of same) {
        const base = { step: ctx.stepName(s), message: ctx.message(s).name ?? s.messageId, entity: s.primaryEntity, stage: s.stage, rank };
        if (same.length > 1) {
          const others = same.filter((o) => o !== s).map((o) => `"${ctx.stepName(o)}"`);
          out.push(ctx.make("STEP_SAME_RANK", { ...base, others }, ctx.stepRef(s), ctx.where(s.loc, "Rank")));
        } else if (rank === 1) {
          out.push(ctx.make("STEP_DEFAULT_RANK", { ...base, count: steps.length }, ctx.stepRef(s), ctx.where(s.loc, "Rank")));
        }
      }
    }
  }
  return out;
}
