export * from './http-service';
