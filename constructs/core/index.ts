export * from './labels';
export * from './namespace';
export * from './output-file';
export * from './rendered-config';
export * from './units';
export * from './network-policy';
export * from './secret-env';
