/**
 * Unpacked folders that are hostile or broken: symbolic links that lead outside (never followed:
 * SYMLINK_OUTSIDE), links that dangle or loop, FIFOs and sockets (which would block a reader), names
 * that are not UTF-8, unreadable files and folders, unwritable outputs. Each is a clear error with its
 * stable code, no hang, no stack trace, nothing written, and nothing outside the folder read or changed.
 *
 * Permissions: root ignores them, so when the tests run as root the permission cases run dvsol as the
 * `nobody` user (spawn with uid/gid) in a scratch folder everyone may enter; where that is impossible
 * they are skipped with the reason.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { describe, test } from "node:test";
import { unpack } from "../../src/ops/unpack.js";
import { ZipReader } from "../../src/archive/index.js";
import { ROOT, tmp } from "../helpers.js";
import { assertRefused, assertSameTree, dvsolAsync, sampleSolution, treeHash, writeSolutionZip } from "./gen.js";

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = tmp("dvsol-rel-fold-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function folder(dir: string, name = "folder"): Promise<string> {
  const zip = await writeSolutionZip(path.join(dir, `${name}.zip`), sampleSolution());
  const out = path.join(dir, name);
  await unpack(zip, out);
  fs.rmSync(zip);
  return out;
}

const readers = (dir: string, f: string) => [
  ["inspect", f],
  ["pack", f, path.join(dir, "out.zip")],
  ["check", f],
  ["version", f, "--bump", "build"],
  ["impact", f, f],
  ["unpack", path.join(dir, "good.zip"), f],
];

/** Every reader refuses with `code`; the scratch folder (and what the links point at) stays as it was. */
async function refused(dir: string, f: string, code: string, expect: RegExp, extra: string[] = []): Promise<void> {
  await writeSolutionZip(path.join(dir, "good.zip"));
  const watched = [dir, ...extra];
  for (const args of readers(dir, f)) {
    const before = watched.map(treeHash);
    const r = await dvsolAsync(args);
    assertRefused(r, code, args.join(" "));
    assert.match(r.stderr, expect, args.join(" "));
    watched.forEach((w, i) => assertSameTree(before[i]!, treeHash(w), `${args.join(" ")} (${w})`));
  }
}

const stepFile = (f: string) => {
  const d = path.join(f, "SdkMessageProcessingSteps");
  return path.join(d, fs.readdirSync(d).sort()[0]!);
};

describe("folders: links, special files, names", { concurrency: 4 }, () => {
  test("a file that is a link outside the folder (to a valid step elsewhere) -> SYMLINK_OUTSIDE, never read", async (t) => {
    const dir = scratch(t);
    const outside = scratch(t);
    const f = await folder(dir);
    const step = stepFile(f);
    fs.copyFileSync(step, path.join(outside, "step.xml"));
    fs.rmSync(step);
    fs.symlinkSync(path.join(outside, "step.xml"), step);
    await refused(dir, f, "SYMLINK_OUTSIDE", /SdkMessageProcessingSteps\/\{[0-9a-f-]+\}\.xml is a symbolic link that leads outside the solution folder/, [outside]);
  });

  test("a folder that is a link outside (relative ../ link) -> SYMLINK_OUTSIDE", async (t) => {
    const dir = scratch(t);
    const f = await folder(dir);
    fs.mkdirSync(path.join(dir, "elsewhere"));
    fs.writeFileSync(path.join(dir, "elsewhere", "x.js"), "alert(1)");
    fs.symlinkSync("../elsewhere", path.join(f, "WebResources"));
    await refused(dir, f, "SYMLINK_OUTSIDE", /WebResources is a symbolic link that leads outside/);
  });

  test("a link to /etc/passwd -> SYMLINK_OUTSIDE; the file's content never appears", async (t) => {
    const dir = scratch(t);
    const f = await folder(dir);
    fs.symlinkSync("/etc/passwd", path.join(f, "Other", "Relationships.xml"));
    await refused(dir, f, "SYMLINK_OUTSIDE", /Other\/Relationships\.xml is a symbolic link that leads outside the solution folder \(to \/etc\/passwd\)/);
    const r = await dvsolAsync(["inspect", f, "--json"]);
    assert.doesNotMatch(r.stdout + r.stderr, /root:x:0:0/);
  });

  test("dangling links: inside -> INPUT_UNREADABLE (names the target), outside -> SYMLINK_OUTSIDE", async (t) => {
    const dir = scratch(t);
    const a = await folder(dir, "a");
    fs.symlinkSync("missing.xml", path.join(a, "Other", "Dangling.xml"));
    await refused(dir, a, "INPUT_UNREADABLE", /Other\/Dangling\.xml is a symbolic link to missing\.xml, which does not exist/);
    const b = await folder(dir, "b");
    fs.symlinkSync("../../nowhere/x.xml", path.join(b, "Other", "Dangling.xml"));
    await refused(dir, b, "SYMLINK_OUTSIDE", /leads outside the solution folder \(to \.\.\/\.\.\/nowhere\/x\.xml\)/);
  });

  test("link loops (to the folder itself, to a parent, a <-> b) -> INPUT_UNREADABLE at once, no endless walk", async (t) => {
    const dir = scratch(t);
    const a = await folder(dir, "a");
    fs.symlinkSync(".", path.join(a, "self"));
    await refused(dir, a, "INPUT_UNREADABLE", /self is a symbolic link to a folder that contains it/);
    const b = await folder(dir, "b");
    fs.symlinkSync("..", path.join(b, "Other", "up"));
    await refused(dir, b, "INPUT_UNREADABLE", /Other\/up is a symbolic link to a folder that contains it/);
    const c = await folder(dir, "c");
    fs.symlinkSync("y", path.join(c, "x"));
    fs.symlinkSync("x", path.join(c, "y"));
    await refused(dir, c, "INPUT_UNREADABLE", /is a symbolic link that loops/);
  });

  test("links that stay inside are followed: pack holds the linked content", async (t) => {
    const dir = scratch(t);
    const f = await folder(dir);
    fs.mkdirSync(path.join(f, "WebResources"));
    fs.writeFileSync(path.join(f, "WebResources", "real.js"), "var real = 1;");
    fs.symlinkSync("real.js", path.join(f, "WebResources", "alias.js"));
    const out = path.join(dir, "out.zip");
    const r = await dvsolAsync(["pack", f, out]);
    assert.equal(r.code, 0, r.stderr);
    const z = await ZipReader.open(out);
    try {
      assert.equal((await z.read(z.get("WebResources/alias.js")!)).toString(), "var real = 1;");
    } finally {
      await z.close();
    }
  });

  test("a FIFO or a socket in the folder -> INPUT_UNREADABLE without blocking; inside .git they are ignored", { skip: spawnSync("sh", ["-c", "command -v mkfifo"]).status !== 0 && "mkfifo not installed" }, async (t) => {
    const dir = scratch(t);
    const a = await folder(dir, "a");
    assert.equal(spawnSync("mkfifo", [path.join(a, "Other", "Fifo.xml")]).status, 0);
    await refused(dir, a, "INPUT_UNREADABLE", /Other\/Fifo\.xml is neither a file nor a folder \(a FIFO, socket or device\)/);
    const b = await folder(dir, "b");
    const server = net.createServer();
    await new Promise<void>((res) => server.listen(path.join(b, "sock"), res));
    t.after(() => server.close());
    await refused(dir, b, "INPUT_UNREADABLE", /sock is neither a file nor a folder/);
    const c = await folder(dir, "c");
    fs.mkdirSync(path.join(c, ".git"));
    assert.equal(spawnSync("mkfifo", [path.join(c, ".git", "fsmonitor")]).status, 0);
    const p = await dvsolAsync(["pack", c, path.join(dir, "c.zip")]);
    assert.equal(p.code, 0, p.stderr);
    // A link to a FIFO inside the folder is no better.
    const d = await folder(dir, "d");
    assert.equal(spawnSync("mkfifo", [path.join(d, "pipe")]).status, 0);
    fs.symlinkSync("pipe", path.join(d, "Other", "Link.xml"));
    fs.rmSync(path.join(d, "pipe"));
    assert.equal(spawnSync("mkfifo", [path.join(d, "Other", "pipe2")]).status, 0);
    const i = await dvsolAsync(["inspect", d]);
    assertRefused(i, "INPUT_UNREADABLE");
  });

  test("a file name that is not valid UTF-8 -> INPUT_UNREADABLE (was an internal error)", async (t) => {
    const dir = scratch(t);
    const f = await folder(dir);
    const bad = Buffer.concat([Buffer.from(path.join(f, "Other") + "/bad"), Buffer.from([0xff, 0xfe]), Buffer.from(".xml")]);
    fs.writeFileSync(bad, "<x/>");
    await refused(dir, f, "INPUT_UNREADABLE", /has a name that is not valid UTF-8/);
  });

  test("unpack over an earlier unpack that holds a link leading outside: refused, nothing written through the link", async (t) => {
    const dir = scratch(t);
    const outside = scratch(t);
    const f = await folder(dir);
    fs.rmSync(path.join(f, "SdkMessageProcessingSteps"), { recursive: true });
    fs.symlinkSync(outside, path.join(f, "SdkMessageProcessingSteps"));
    const zip = await writeSolutionZip(path.join(dir, "s.zip"));
    const before = [treeHash(dir), treeHash(outside)];
    const r = await dvsolAsync(["unpack", zip, f]);
    assertRefused(r, "SYMLINK_OUTSIDE");
    assertSameTree(before[0]!, treeHash(dir), "folder");
    assertSameTree(before[1]!, treeHash(outside), "outside");
    assert.deepEqual(fs.readdirSync(outside), []);
  });
});

// ---- permissions ------------------------------------------------------------------------------------------------

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
/** As root, the permission tests run dvsol as nobody; that needs the project readable by others. */
function permissionSkip(): string | false {
  if (process.platform === "win32") return "POSIX permissions only";
  if (!isRoot) return false;
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), "--version"], { uid: NOBODY, gid: NOBODY, cwd: "/" });
  return r.status === 0 ? false : `running as root and dvsol cannot run as nobody (uid ${NOBODY}): ${String(r.error ?? r.stderr).slice(0, 200)}: skipped`;
}
const permSkip = permissionSkip();
const asUser = isRoot ? { uid: NOBODY, gid: NOBODY, cwd: "/" } : {};

/** A scratch folder the unprivileged user may use. */
function openScratch(t: { after: (fn: () => void) => void }): string {
  const dir = scratch(t);
  fs.chmodSync(dir, 0o777);
  return dir;
}

function giveAway(p: string): void {
  if (!isRoot) return;
  spawnSync("chown", ["-R", `${NOBODY}:${NOBODY}`, p]);
}

describe("folders: permissions", { concurrency: 2, skip: permSkip }, () => {
  test("unreadable file, unreadable DLL, unreadable folder -> INPUT_UNREADABLE naming it", async (t) => {
    const dir = openScratch(t);
    const f = await folder(dir);
    giveAway(f);
    const cust = path.join(f, "Other", "Customizations.xml");
    fs.chmodSync(cust, 0);
    let r = await dvsolAsync(["inspect", f], asUser);
    assertRefused(r, "INPUT_UNREADABLE");
    assert.match(r.stderr, /Other\/Customizations\.xml/);
    fs.chmodSync(cust, 0o644);

    const dll = fs.readdirSync(path.join(f, "PluginAssemblies")).find((n) => n.startsWith("Contoso"))!;
    const dllPath = path.join(f, "PluginAssemblies", dll, "Contoso.Plugins.dll");
    fs.chmodSync(dllPath, 0);
    const before = treeHash(dir);
    r = await dvsolAsync(["pack", f, path.join(dir, "out.zip")], asUser);
    assertRefused(r, "INPUT_UNREADABLE");
    assert.match(r.stderr, /Contoso\.Plugins\.dll/);
    assertSameTree(before, treeHash(dir), "failed pack");
    fs.chmodSync(dllPath, 0o644);

    fs.chmodSync(path.join(f, "SdkMessageProcessingSteps"), 0);
    r = await dvsolAsync(["check", f], asUser);
    assertRefused(r, "INPUT_UNREADABLE");
    assert.match(r.stderr, /cannot read folder .*SdkMessageProcessingSteps/);
    fs.chmodSync(path.join(f, "SdkMessageProcessingSteps"), 0o755);
  });

  test("unwritable outputs -> OUTPUT_UNWRITABLE (was an internal error), nothing left behind", async (t) => {
    const dir = openScratch(t);
    const f = await folder(dir);
    giveAway(f);
    const zip = await writeSolutionZip(path.join(dir, "s.zip"));
    fs.chmodSync(zip, 0o644);
    const ro = path.join(dir, "ro");
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
    const before = treeHash(dir);
    for (const args of [
      ["unpack", zip, path.join(ro, "out")],
      ["pack", f, path.join(ro, "out.zip")],
      ["version", f, "--bump", "build", "--out", path.join(ro, "v.zip")],
      ["check", f, "--out", path.join(ro, "report.txt")],
      ["impact", zip, zip, "--out", path.join(ro, "impact.txt")],
    ]) {
      const r = await dvsolAsync(args, asUser);
      assertRefused(r, "OUTPUT_UNWRITABLE", args.join(" "));
      assertSameTree(before, treeHash(dir), args.join(" "));
    }
    // An edit in place in a folder the user may not write: refused before anything changes.
    fs.chmodSync(path.join(f, "Other"), 0o555);
    fs.chmodSync(f, 0o555);
    const before2 = treeHash(dir);
    const r = await dvsolAsync(["version", f, "--bump", "build"], asUser);
    assertRefused(r, "OUTPUT_UNWRITABLE", "edit in a read-only folder");
    assert.match(r.stderr, /cannot create the lock file/);
    assertSameTree(before2, treeHash(dir), "edit in a read-only folder");
    // The same for a zip in a read-only folder.
    const roZip = path.join(ro, "s.zip");
    fs.chmodSync(ro, 0o755);
    fs.copyFileSync(zip, roZip);
    fs.chmodSync(ro, 0o555);
    const before3 = treeHash(dir);
    const z = await dvsolAsync(["version", roZip, "--bump", "build"], asUser);
    assertRefused(z, "OUTPUT_UNWRITABLE", "edit of a zip in a read-only folder");
    assertSameTree(before3, treeHash(dir), "edit of a zip in a read-only folder");
    fs.chmodSync(f, 0o755);
    fs.chmodSync(path.join(f, "Other"), 0o755);
  });
});
