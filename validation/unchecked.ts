/**
 * Objects and chart values that could not be checked for want of a schema. They are problems like
 * any other (validate, publish and policy in CI refuse them); synth and config report them in one
 * line and go on, so a fresh clone builds before any schema is fetched.
 */
import type { ValidationProblem } from './index';
import { byCodePoint } from '../constructs/core/order';

/** How to make schemas available, for every message about something not checked. */
export const SCHEMA_FIX =
  'Run "gitplane schemas pull" to fetch the pinned charts\' CRDs and default values, set an offline mirror (schemas.mirror in gitplane.yaml, or GITPLANE_SCHEMA_MIRROR), or add your cluster\'s CRDs with "gitplane schemas import FILE".';

/**
 * One line naming everything that went unchecked for want of a schema, with counts and the fix,
 * and one per other fix (charts not rendered); empty when everything was checked.
 */
export function uncheckedSummary(problems: readonly ValidationProblem[]): string[] {
  const byFix = new Map<string, Map<string, number>>();
  for (const p of problems) {
    if (!p.unchecked) continue;
    const fix = p.fix ?? SCHEMA_FIX;
    const counts = byFix.get(fix) ?? new Map<string, number>();
    counts.set(p.unchecked, (counts.get(p.unchecked) ?? 0) + 1);
    byFix.set(fix, counts);
  }
  return [...byFix].map(([fix, counts]) => {
    const list = [...counts].sort(([a], [b]) => byCodePoint(a, b)).map(([what, n]) => `${what} (${n})`);
    const what = fix === SCHEMA_FIX ? 'not schema-checked (no CRD or chart defaults available)' : 'not rendered, so not judged';
    return `${what}: ${list.join(', ')}. ${fix}`;
  });
}
