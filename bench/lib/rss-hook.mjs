// Loaded with `node --import` into measured node children when GNU time is missing: reports the child's
// own peak RSS (KiB) and CPU time (ms) on stderr when it exits, for bench/lib/measure.mjs to read.
process.on("exit", () => {
  const r = process.resourceUsage();
  process.stderr.write(`\n__DVSOL_BENCH__RSS ${r.maxRSS} ${((r.userCPUTime + r.systemCPUTime) / 1000).toFixed(1)}\n`);
});
