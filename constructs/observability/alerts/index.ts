export * from './alert';
export * from './alert-rule-group';
export * from './cron';
export * from './recording-rule';
export * from './runbook';
export * from './sets';
export * from './promql';
