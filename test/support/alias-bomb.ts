/**
 * YAML whose aliases expand to 10,000 copies of anchored values, past the yaml package's limit of
 * 100 (a "billion laughs" document in small): top-level keys a to d, so it can close a map.
 */
export const ALIAS_BOMB = 'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';

/** What gitplane says of a document holding ALIAS_BOMB, after its file and line. */
export const ALIAS_BOMB_PROBLEM = 'the document cannot be read: its aliases expand to more than 100 copies of anchored values (Excessive alias count indicates a resource exhaustion attack). Write the values out instead of aliasing them.';
