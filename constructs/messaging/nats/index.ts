export * from './nats-cluster';
export * from './nats-config';
export * from './nats-consumer';
export * from './nats-stream';
export * from './stream-changes';
