export * from './etcd-backup';
export * from './restore-runbook';
