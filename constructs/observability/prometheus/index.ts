export * from './alertmanager-config';
export * from './monitoring-stack';
export * from './notification-template';
export * from './values';
