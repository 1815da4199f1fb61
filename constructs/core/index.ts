export * from './labels';
export * from './namespace';
export * from './output-file';
