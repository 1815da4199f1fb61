export * from './collections';
export * from './labels';
export * from './namespace';
export * from './order';
export * from './output-file';
export * from './rendered-config';
export * from './units';
export * from './network-policy';
