/**
 * example-api: an application of the team's own, as a platform repository writes one. A small
 * HTTP service (the Prometheus example app, which counts its requests in http_requests_total)
 * with its namespace, a NetworkPolicy, a ServiceMonitor and an alert with its runbook.
 *
 * Enable it in an environment file with its settings:
 *
 * ```yaml
 * apps:
 *   example-api:
 *     replicas: 2
 *     clients: [storefront]
 * ```
 */
import { defineApp, HttpService, IngressPolicy, IngressPeer, Static, Type, Wave } from '../..';

const NAME = 'example-api';
const PORT = 8080;

const Settings = Type.Object(
  {
    replicas: Type.Integer({ minimum: 1, maximum: 10, default: 1, description: 'pods serving the API' }),
    clients: Type.Array(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', description: 'a namespace name' }), {
      default: [],
      uniqueItems: true,
      description: 'namespaces whose pods may call the API',
    }),
  },
  { additionalProperties: false },
);

export const exampleApi = defineApp<Static<typeof Settings>>({
  name: NAME,
  namespace: NAME,
  podSecurity: 'restricted',
  wave: Wave.Services,
  component: 'api',
  settings: Settings,
  scrape: ({ spec }) => [{ name: NAME, labels: labels(spec.name), port: 'http' }],
  alerts: () => [
    {
      name: 'example-api',
      component: 'api',
      alerts: [
        {
          name: 'ExampleApiDown',
          expr: `up{job="${NAME}", namespace="${NAME}"} == 0`,
          for: '5m',
          severity: 'warning',
          summary: 'example-api pod {{ $labels.pod }} does not answer scrapes.',
          description: 'Prometheus has not reached example-api pod {{ $labels.pod }} for 5 minutes: it is crash-looping, not ready, or a NetworkPolicy blocks the scrape.',
          runbook: {
            tldr: 'An example-api pod is down. Check its events and logs; restart it if it is stuck.',
            mitigation: [
              `kubectl -n ${NAME} get pods -l app.kubernetes.io/name=${NAME} -o wide`,
              `kubectl -n ${NAME} describe pod <pod> and kubectl -n ${NAME} logs <pod> --previous`,
              `If it is stuck rather than crashing: kubectl -n ${NAME} rollout restart deployment/${NAME}`,
            ],
            impact: 'Requests to the pod fail; with one replica the API is unavailable.',
            diagnosis: { queries: [`up{job="${NAME}"}`, `sum by (code) (rate(http_requests_total{job="${NAME}"}[5m]))`] },
            escalation: 'Page the team that owns example-api; call the platform team if every pod of the namespace is down.',
          },
          test: {
            series: [{ series: `up{job="${NAME}",namespace="${NAME}",pod="${NAME}-0"}`, values: '0x15' }],
            firesAt: '10m',
            labels: { job: NAME, namespace: NAME, pod: `${NAME}-0` },
            quiet: { series: [{ series: `up{job="${NAME}",namespace="${NAME}",pod="${NAME}-0"}`, values: '1x15' }], at: '10m' },
          },
        },
      ],
    },
  ],
  build: (chart, { spec, settings, scrapers }) => {
    const app = labels(spec.name);
    const service = new HttpService(chart, 'service', {
      app,
      image: 'quay.io/brancz/prometheus-example-app:v0.5.0',
      port: PORT,
      replicas: settings.replicas,
      runAsUser: 65534,
    });
    // Prometheus scrapes the same port the clients call.
    const from: IngressPeer[] = [...scrapers, ...settings.clients.map((namespace) => ({ namespace }))];
    new IngressPolicy(chart, 'network-policy', { name: service.name, app, allow: from.length > 0 ? [{ ports: [PORT], from }] : undefined });
  },
});

function labels(env: string) {
  return { name: NAME, instance: `${NAME}-${env}`, component: 'api', version: 'v0.5.0' };
}
