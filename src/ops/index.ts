export { unpack, pack, type UnpackOptions, type PackOptions, type LayoutResult } from "./unpack.js";
export { inspectSolution, formatInspectText, type InspectResult } from "./inspect.js";
