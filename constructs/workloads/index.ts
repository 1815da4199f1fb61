export * from './cron-job';
export * from './http-service';
