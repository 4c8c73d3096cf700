// The reader over the committed fixture DLLs (built by test/fixtures/assemblies/build.sh): runs without mono.
import { COMMITTED_KEY_TOKEN, FIXTURE_BIN, fixtureTests } from "./expected.js";

fixtureTests("committed fixtures", () => FIXTURE_BIN, () => COMMITTED_KEY_TOKEN);
