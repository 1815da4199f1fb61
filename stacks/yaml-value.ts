/**
 * The value of a parsed YAML document from a file gitplane reads but did not write (a manifest
 * directory, a CRD file to import, a chart, a tree from Git): aliases that would expand past
 * MAX_ALIAS_COUNT copies of anchored values (a "billion laughs" document) make yaml throw, and the
 * command reports that as a problem of the file instead of crashing.
 */
import type { Document, YAMLError } from 'yaml';

/** Copies of anchored values all aliases of a document may make together (yaml's default, named). */
export const MAX_ALIAS_COUNT = 100;

/** `doc`'s value, or the sentence saying why it has none, without its final period (to follow a file's name and line). */
export function documentValue(doc: Document): { value: unknown } | { problem: string } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    return { problem: `the document cannot be read: its aliases expand to more than ${MAX_ALIAS_COUNT} copies of anchored values (${(e as Error).message.split('\n')[0]}). Write the values out instead of aliasing them` };
  }
}

/** The problem of a file that does not parse as YAML, at the line and column of yaml's first error when known. */
export function syntaxProblem(shown: string, error: YAMLError): string {
  const at = error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '';
  return `${shown}${at}: the file is not valid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}. Fix the syntax.`;
}
