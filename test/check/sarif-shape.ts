/**
 * A structural check of SARIF 2.1.0: the fields GitHub code scanning reads (ids, levels, messages,
 * relative artifact URIs, start lines, fingerprints). No network, no schema download.
 */
export type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const LEVELS = new Set(["none", "note", "warning", "error"]);
export function sarifProblems(doc: J): string[] {
  const p: string[] = [];
  const need = (cond: unknown, what: string) => {
    if (!cond) p.push(what);
  };
  need(typeof doc.$schema === "string" && /sarif-2\.1\.0/.test(doc.$schema), "$schema names SARIF 2.1.0");
  need(doc.version === "2.1.0", "version is 2.1.0");
  need(Array.isArray(doc.runs) && doc.runs.length === 1, "exactly one run");
  const run = doc.runs?.[0] ?? {};
  const driver = run.tool?.driver ?? {};
  need(driver.name === "dvsol", "tool.driver.name");
  need(Array.isArray(driver.rules), "tool.driver.rules");
  const ruleIds: string[] = [];
  for (const [i, r] of (driver.rules ?? []).entries()) {
    const at = `rules[${i}]`;
    need(typeof r.id === "string" && r.id, `${at}.id`);
    need(typeof r.name === "string" && /^[A-Za-z][A-Za-z0-9]*$/.test(r.name), `${at}.name`);
    need(typeof r.shortDescription?.text === "string" && r.shortDescription.text.length > 0, `${at}.shortDescription.text`);
    need(typeof r.fullDescription?.text === "string" && r.fullDescription.text.length > 0, `${at}.fullDescription.text`);
    need(typeof r.help?.text === "string" && typeof r.help?.markdown === "string", `${at}.help.text/markdown`);
    need(LEVELS.has(r.defaultConfiguration?.level), `${at}.defaultConfiguration.level`);
    if (r.helpUri !== undefined) need(/^https?:\/\/\S+$/.test(r.helpUri), `${at}.helpUri is absolute`);
    ruleIds.push(r.id);
  }
  need(new Set(ruleIds).size === ruleIds.length, "rule ids are unique");
  need(Array.isArray(run.results), "results");
  const prints = new Set<string>();
  for (const [i, r] of (run.results ?? []).entries()) {
    const at = `results[${i}]`;
    need(ruleIds.includes(r.ruleId), `${at}.ruleId is a rule`);
    if (r.ruleIndex !== undefined) need(driver.rules[r.ruleIndex]?.id === r.ruleId, `${at}.ruleIndex points at its rule`);
    need(LEVELS.has(r.level), `${at}.level`);
    need(typeof r.message?.text === "string" && r.message.text.length > 0, `${at}.message.text`);
    need(Array.isArray(r.locations) && r.locations.length > 0, `${at}.locations`);
    for (const l of r.locations ?? []) {
      const uri = l.physicalLocation?.artifactLocation?.uri;
      need(typeof uri === "string" && uri.length > 0, `${at} artifactLocation.uri`);
      need(typeof uri === "string" && !/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.includes("\\") && !/\s/.test(uri), `${at} uri is a relative, encoded path: ${uri}`);
      need(l.physicalLocation?.artifactLocation?.uriBaseId === "%SRCROOT%", `${at} uriBaseId`);
      const line = l.physicalLocation?.region?.startLine;
      need(Number.isInteger(line) && line >= 1, `${at} region.startLine`);
    }
    const fp = r.partialFingerprints;
    need(fp && typeof fp === "object" && Object.values(fp).every((v) => typeof v === "string" && (v as string).length > 0), `${at}.partialFingerprints`);
    for (const v of Object.values(fp ?? {})) prints.add(`${r.ruleId}:${v}`);
  }
  need(prints.size === (run.results ?? []).length, "fingerprints are unique per result");
  return p;
}
