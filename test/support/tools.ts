/**
 * Finds the real binaries conformance tests run (installed by tools/install.sh).
 *
 * In CI (`GITPLANE_REQUIRE_TOOLS=1`) a missing tool fails the test; elsewhere the test is skipped
 * with a note saying how to install it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const TOOLS_BIN = path.join(process.env.GITPLANE_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'gitplane-tools'), 'bin');

/** Absolute path of a tool, looked up in the gitplane tools directory first, then PATH. */
export function findTool(name: string): string | undefined {
  const dirs = [TOOLS_BIN, ...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `describe` when the tool is installed; otherwise a skipped block, or a failing one in CI.
 * The callback receives the tool's path.
 */
export function describeWithTool(tool: string, title: string, fn: (bin: string) => void): void {
  const bin = findTool(tool);
  if (bin) {
    describe(title, () => fn(bin));
  } else if (process.env.GITPLANE_REQUIRE_TOOLS === '1') {
    describe(title, () => {
      test(`${tool} is installed`, () => {
        throw new Error(`${tool} is not installed; run "bash tools/install.sh" (GITPLANE_REQUIRE_TOOLS=1 makes this an error).`);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`skipping "${title}": ${tool} is not installed (run "bash tools/install.sh").`);
    describe.skip(title, () => fn(tool));
  }
}

/** `describe` with every tool's path, by name; a skipped (in CI: failing) block naming the first one missing. */
export function describeWithTools(tools: readonly string[], title: string, fn: (bins: Record<string, string>) => void): void {
  const bins = Object.fromEntries(tools.map((tool) => [tool, findTool(tool) ?? tool]));
  const missing = tools.find((tool) => findTool(tool) === undefined);
  if (missing) describeWithTool(missing, title, () => fn(bins));
  else describe(title, () => fn(bins));
}
