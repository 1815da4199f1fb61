export * from './dashboard-model';
export * from './dashboards';
export * from './grafana-dashboard';
export * from './grafana-datasources';
export * from './runbook-links';
