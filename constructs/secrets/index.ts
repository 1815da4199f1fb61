export * from './external-secret';
export * from './cluster-secret-store';
