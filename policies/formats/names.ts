/** The report formats, apart from their renderers: what `gitplane policy --help` and its option checks need. */
export const FORMATS = ['text', 'json', 'sarif', 'junit', 'github', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];
