export * from './tempo';
export * from './tempo-config';
