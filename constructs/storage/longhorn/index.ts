export * from './longhorn';
export * from './longhorn-values';
export * from './longhorn-restore-drill';
