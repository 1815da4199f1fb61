export * from './node-preflight';
