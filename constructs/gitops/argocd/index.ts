export * from './application';
export * from './app-project';
