/** The command registry: each module adds one command (or a group) to the program. */
import type { Command } from "commander";
import type { CommandContext } from "../main.js";
import { registerInspect, registerPack, registerUnpack } from "./layout.js";
import { registerAssembly } from "./assembly.js";
import { registerEdit } from "./edit.js";
import { registerImpact } from "./impact.js";
import { registerCheck } from "./check.js";
import { registerRegistration } from "./registration.js";

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export const COMMANDS: RegisterCommand[] = [registerUnpack, registerPack, registerInspect];
COMMANDS.push(registerAssembly);
COMMANDS.push(registerEdit);
COMMANDS.push(registerCheck);
COMMANDS.push(registerImpact);
COMMANDS.push(registerRegistration);
