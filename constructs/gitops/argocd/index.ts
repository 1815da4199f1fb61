export * from './application';
export * from './application-set';
export * from './application-spec';
export * from './app-project';
export * from './project-clusters';
