export * from './longhorn';
export * from './longhorn-values';
