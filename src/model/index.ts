export * from "./types.js";
export * from "./read.js";
export * from "./names.js";
export * from "./ids.js";
