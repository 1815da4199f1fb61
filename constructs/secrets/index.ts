export * from './external-secret';
