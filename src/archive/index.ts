/** The archive layer: streaming, hostile-input-safe, deterministic zip reading and writing. */
export {
  DEFAULT_LIMITS,
  FIXED_DOS_DATE,
  FIXED_DOS_TIME,
  ZipReader,
  ZipWriter,
  resolveLimits,
  type ZipAddOptions,
  type ZipEntry,
  type ZipLimits,
  type ZipReaderOptions,
  type ZipWriterOptions,
} from "./zip.js";
export { extractAll, packFolderEntries, type ExtractOptions, type ExtractProgress, type ExtractResult, type FolderFile } from "./extract.js";
export { validateEntryName, foldName } from "./names.js";
export { crc32 } from "./crc32.js";
