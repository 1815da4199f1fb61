export * from './loki';
export * from './loki-config';
