/**
 * The one list of error codes. A code never changes meaning once released; docs/errors.md is generated
 * from this list (scripts/gen-docs.mjs). Keep the groups sorted by area; add new codes at the end of
 * their group. Each entry: a one-line summary and what the user can do.
 */
export interface ErrorCodeInfo {
  summary: string;
  hint: string;
}

function codes<const T extends Record<string, ErrorCodeInfo>>(t: T): T {
  return t;
}

export const ERROR_CODES = codes({
  // --- usage -------------------------------------------------------------------------------
  USAGE: { summary: "The command line is not valid.", hint: "Run the command with --help to see its options and an example." },
  USAGE_BAD_OPTION: { summary: "An option has a value dvsol cannot use.", hint: "Check the option's allowed values in --help." },
  CONFIG_INVALID: { summary: "dvsol.config.json (or --config) is not valid.", hint: "Fix the file; see docs/findings/README.md (Configuring findings) for its shape." },

  // --- input files and folders ---------------------------------------------------------------
  INPUT_NOT_FOUND: { summary: "The input file or folder does not exist.", hint: "Check the path." },
  INPUT_NOT_SOLUTION: { summary: "The input is neither a solution zip nor an unpacked solution folder.", hint: "Give a solution .zip or a folder that holds Other/Solution.xml." },
  INPUT_UNREADABLE: { summary: "A file could not be read.", hint: "Check the file's permissions." },
  OUTPUT_NOT_EMPTY: { summary: "The output folder is not empty.", hint: "Choose an empty or new folder (dvsol unpack and dvsol init: or pass --clobber to replace its content)." },
  OUTPUT_EXISTS: { summary: "The output file exists.", hint: "Choose another path, or leave out --no-overwrite to replace it." },
  OUTPUT_INSIDE_INPUT: { summary: "The output would be written inside the input.", hint: "Choose an output path outside the input folder." },
  LOCKED: { summary: "Another dvsol process is editing this solution.", hint: "Wait for it to finish; if none runs, delete the stale lock file named in the message." },
  OUTPUT_UNWRITABLE: { summary: "The output file could not be written.", hint: "Check that the output folder exists and that you may write to it." },
  SYMLINK_OUTSIDE: { summary: "A symbolic link in the folder leads outside it.", hint: "Replace the link with the file itself; dvsol does not follow links out of a solution folder." },

  // --- zip --------------------------------------------------------------------------------------
  ZIP_NOT_ZIP: { summary: "The file is not a zip archive.", hint: "Give a solution .zip as exported by Dataverse or packed by dvsol/SolutionPackager." },
  ZIP_CORRUPT: { summary: "The zip archive is damaged (truncated, or its central directory is inconsistent).", hint: "Export or download the solution again." },
  ZIP_CRC_MISMATCH: { summary: "An entry's content does not match its checksum.", hint: "The archive is damaged: export or download the solution again." },
  ZIP_UNSAFE_PATH: { summary: "An entry's path would escape the output folder (.., absolute path, drive letter or backslash).", hint: "Do not use this archive; it was not written by Dataverse." },
  ZIP_SYMLINK: { summary: "An entry is a symbolic link.", hint: "Solutions never hold links; do not use this archive." },
  ZIP_DUPLICATE_ENTRY: { summary: "Two entries have the same name (or names that differ only by case).", hint: "Remove the duplicate entry; Windows and macOS cannot hold both." },
  ZIP_ENCRYPTED: { summary: "An entry is encrypted.", hint: "Dataverse does not import encrypted solutions; export the solution again." },
  ZIP_ZIP64: { summary: "The archive uses zip64 extensions.", hint: "Dataverse solutions never need zip64; re-export the solution or repack it below 4 GiB per entry." },
  ZIP_UNSUPPORTED_METHOD: { summary: "An entry uses a compression method other than stored or deflate.", hint: "Repack the archive with deflate." },
  ZIP_LIMIT: { summary: "The archive exceeds a safety limit (entry size, total size, entry count or compression ratio).", hint: "If the archive is trusted, raise the limit with --max-size, --max-entry-size, --max-entries or --max-ratio." },

  // --- xml ----------------------------------------------------------------------------------------
  XML_MALFORMED: { summary: "An XML document is not well-formed.", hint: "Fix the XML at the line and column given." },
  XML_DOCTYPE: { summary: "An XML document declares a DOCTYPE or entities.", hint: "Solution XML never declares entities; remove the DOCTYPE. dvsol refuses it to prevent entity expansion attacks." },
  XML_ENCODING: { summary: "An XML document is in an encoding dvsol does not read.", hint: "Save the file as UTF-8 (with or without BOM) or UTF-16 with a BOM." },
  XML_LIMIT: { summary: "An XML document exceeds a safety limit (nesting depth or size).", hint: "Check the file; real solution XML stays far below these limits." },

  // --- solution structure ---------------------------------------------------------------------------
  SOLUTION_MISSING_MANIFEST: { summary: "solution.xml (Other/Solution.xml in a folder) is missing.", hint: "A solution zip holds solution.xml at its root; an unpacked folder holds Other/Solution.xml." },
  SOLUTION_MISSING_CUSTOMIZATIONS: { summary: "customizations.xml (Other/Customizations.xml in a folder) is missing.", hint: "Export the solution again, or restore Other/Customizations.xml." },
  SOLUTION_BAD_MANIFEST: { summary: "solution.xml lacks a required element or has an invalid value.", hint: "Restore the element named in the message." },
  SOLUTION_BAD_VERSION: { summary: "A version is not a.b(.c(.d)) with numeric parts within limits.", hint: "Use 2 to 4 numeric parts; solution parts fit in Int32, assembly parts in 0..65534." },
  SOLUTION_DUPLICATE_ID: { summary: "Two components of the same kind share an id.", hint: "Give one of them a new id; Dataverse keeps only one." },
  SOLUTION_DANGLING_REFERENCE: { summary: "A component refers to something that does not exist.", hint: "Add the missing component or fix the reference." },
  SOLUTION_BAD_COMPONENT: { summary: "A component's XML lacks a required element or attribute.", hint: "Restore the element named in the message." },
  SOLUTION_PACKAGE_TYPE: { summary: "The requested package type does not match the solution.", hint: "Use --packagetype to match the tree (unmanaged, managed or both)." },
  MAP_INVALID: { summary: "A map file is invalid or a mapping matches more than one file.", hint: "Fix the map file; see docs/commands/pack.md." },

  // --- assemblies ------------------------------------------------------------------------------------
  ASSEMBLY_NOT_PE: { summary: "The file is not a PE (Windows DLL/EXE) file.", hint: "Give the compiled plug-in assembly (.dll) from your build output." },
  ASSEMBLY_NOT_MANAGED: { summary: "The DLL is native code without .NET metadata.", hint: "Give the .NET plug-in assembly, not a native library." },
  ASSEMBLY_CORRUPT: { summary: "The DLL is truncated or its .NET metadata is damaged.", hint: "Rebuild the assembly." },
  ASSEMBLY_REFERENCE_ONLY: { summary: "The DLL is a reference assembly (metadata only).", hint: "Give the implementation assembly from bin/, not the one from obj/ref or a ref pack." },

  // --- edits ------------------------------------------------------------------------------------------
  EDIT_NOT_FOUND: { summary: "The component named in the request is not in the solution.", hint: "Run `dvsol inspect` to list the components and their ids." },
  EDIT_AMBIGUOUS: { summary: "The name given matches more than one component.", hint: "Use the component's id or full name instead." },
  EDIT_INVALID: { summary: "The request is not valid for the platform.", hint: "See the message for the rule; `dvsol check` documents each one." },
  EDIT_CONFLICT: { summary: "The request conflicts with what is in the solution (duplicate id, type still in use, lower version).", hint: "See the message; options such as --cascade or --allow-downgrade override some conflicts." },
  EDIT_UNKNOWN_MESSAGE: { summary: "The SDK message is not in dvsol's catalog of known message ids.", hint: "Give the message id of the target environment with --message-id." },
  REGISTRATION_INVALID: { summary: "The registration file is not valid.", hint: "Check it against templates/registration.schema.json." },
});

export type ErrorCode = keyof typeof ERROR_CODES;
