/**
 * Worker thread of src/edit/verify.ts: opens the zip on its own file descriptor and inflates the entries an
 * edit will copy raw, so that the main thread parses and plans meanwhile. Posts `{ failures }` or `{ fatal }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ZipReader, type ZipLimits } from "../archive/index.js";
import { selectEntries, toFailure, verifyEntries, type EntrySelection } from "./verify-entries.js";

interface Data extends EntrySelection {
  file: string;
  limits?: Partial<ZipLimits>;
}

const data = workerData as Data;
try {
  const zip = await ZipReader.open(data.file, { limits: data.limits });
  try {
    parentPort!.postMessage({ failures: await verifyEntries(zip, selectEntries(zip, data)) });
  } finally {
    await zip.close();
  }
} catch (e) {
  parentPort!.postMessage({ fatal: toFailure("", e) });
}
