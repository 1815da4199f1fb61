export * from './single-binary';
