export * from './collector-config';
export * from './collector-rbac';
export * from './otel-agent';
export * from './otel-gateway';
