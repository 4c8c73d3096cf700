/** Rules on step images (RPI, "Define entity images"). */
import type { Finding } from "../../findings/types.js";
import type { RuleContext } from "../context.js";

const hasPre = (t: number | null) => t === 0 || t === 2;
const hasPost = (t: number | null) => t === 1 || t === 2;

export function imageRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const s of ctx.sol.steps) {
    if (!s.images.length) continue;
    const m = ctx.message(s);
    const stepName = ctx.stepName(s);
    const msg = { message: m.name, messageSource: m.source };
    for (const i of s.images) {
      const ref = ctx.imageRef(s, i);
      const args = { step: stepName, alias: i.alias ?? i.name, imageType: i.imageType, stage: s.stage, ...msg };
      // Message-dependent rules fire only when the message is known (from its id, SdkMessageName or the
      // step's "Type: Message of table" name); messages outside the catalogue are custom or unlisted, and
      // RPI's list of messages with images is closed.
      if (m.name) {
        const supports = m.info ? m.info.supportsImages : false;
        if (supports === false) {
          out.push(ctx.make("IMAGE_UNSUPPORTED_MESSAGE", args, ref, ctx.where(i.loc)));
        } else if (supports === true) {
          if (m.name === "Create" && hasPre(i.imageType)) out.push(ctx.make("IMAGE_PRE_ON_CREATE", args, ref, ctx.where(i.loc, "ImageType")));
          if (m.name === "Delete" && hasPost(i.imageType)) out.push(ctx.make("IMAGE_POST_ON_DELETE", args, ref, ctx.where(i.loc, "ImageType")));
          const expected = m.info!.imageProperty;
          const prop = i.messagePropertyName?.trim() ?? "";
          if (expected.length && !expected.includes(prop)) {
            out.push(ctx.make("IMAGE_WRONG_PROPERTY", { ...args, property: prop, expected: expected.join(" or ") }, ref, ctx.where(i.loc, "MessagePropertyName")));
          }
        }
      }
      // Post-images need the operation to have happened (stage 50 is a deprecated post-operation stage).
      if (hasPost(i.imageType) && s.stage !== null && s.stage !== 40 && s.stage !== 50) {
        out.push(ctx.make("IMAGE_POST_NOT_POSTOPERATION", args, ref, ctx.where(i.loc, "ImageType")));
      }
      if (i.attributes.length === 0) out.push(ctx.make("IMAGE_ALL_COLUMNS", args, ref, ctx.where(i.loc, "Attributes")));
    }
    // Aliases are keys of PreEntityImages and PostEntityImages: a clash needs the same alias in the same collection.
    for (const [kind, has] of [
      ["pre-image", hasPre],
      ["post-image", hasPost],
    ] as const) {
      const seen = new Map<string, number>();
      for (const i of s.images) {
        if (!has(i.imageType) || !i.alias) continue;
        const n = (seen.get(i.alias) ?? 0) + 1;
        seen.set(i.alias, n);
        if (n === 2) out.push(ctx.make("IMAGE_DUPLICATE_ALIAS", { step: stepName, alias: i.alias, kind }, ctx.imageRef(s, i), ctx.where(i.loc, "EntityAlias")));
      }
    }
  }
  return out;
}
