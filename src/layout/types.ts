/**
 * The SolutionPackager layout as a registry of component splitters. Each splitter knows one kind of
 * component: how to move it out of customizations.xml (and zip entries) into its folder files on
 * unpack, and back on pack. What no splitter claims passes through untouched, at the same path.
 */
import type { XmlEditor } from "../xml/edit.js";
import type { XmlDocument } from "../xml/parse.js";
import type { SolutionFile, SolutionSource } from "../solution/source.js";
import type { Finding } from "../findings/types.js";

/** Output content: bytes, or a source file to copy as it is (raw compressed copy where possible). */
export type OutContent = Buffer | { from: SolutionFile };

export interface LayoutContext {
  /** The source being converted (zip on unpack, folder on pack). */
  source: SolutionSource;
  /** customizations.xml (zip) or Other/Customizations.xml (folder), parsed. */
  cust: XmlDocument;
  /** Edits to that document. */
  custEditor: XmlEditor;
  /** Marks a source path as handled, so it does not pass through. */
  claim(path: string): void;
  /** Adds an output file (folder path on unpack, zip entry on pack). */
  emit(path: string, content: OutContent): void;
  /** Reads a source file's bytes. */
  read(path: string): Promise<Buffer>;
  /** Reports a warning or note. */
  report(f: Finding): void;
  /** "managed" twin handling and other per-run options. */
  options: LayoutOptions;
  /**
   * A source file by path, through the map file on pack (build output first, then the folder).
   * Optional so that contexts built by hand (tests) keep working; splitters fall back to source.find.
   */
  resolve?(path: string): SolutionFile | undefined;
  /**
   * Records a zip entry the output must hold (a DLL, a web resource's content) and the folder path
   * that feeds it; the engine checks them once every splitter ran and reports what is missing.
   */
  expect?(entry: string, treePath: string, component: string): void;
}

export interface LayoutOptions {
  packageType: "unmanaged" | "managed" | "both";
}

/** The package types a zip can be; "both" is a folder holding the two. */
export type PackageType = LayoutOptions["packageType"];

export interface Splitter {
  id: string;
  /** zip -> folder */
  split(ctx: LayoutContext): Promise<void> | void;
  /** folder -> zip */
  merge(ctx: LayoutContext): Promise<void> | void;
}
