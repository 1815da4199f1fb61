export * from './nats-cluster';
export * from './nats-config';
export * from './nats-stream';
