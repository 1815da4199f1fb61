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
import { defineApp, ExternalSecret, HttpService, IngressPolicy, IngressPeer, SecretEnv, SettingsProblem, Static, syncWave, Type, Wave } from '../../index';

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
    tokenRef: Type.Optional(
      Type.String({ description: 'entry of secrets.refs holding the API token (read through an ExternalSecret into API_TOKEN)' }),
    ),
  },
  { additionalProperties: false },
);

export const exampleApi = defineApp<Static<typeof Settings>>({
  name: NAME,
  namespace: NAME,
  podSecurity: 'restricted',
  wave: Wave.Services,
  component: 'api',
  // Its alerts carry team=api-team: route them with alerting.routes.teams.api-team.
  owner: 'api-team',
  settings: Settings,
  checkSettings: ({ tokenRef }, spec) => {
    const problems: SettingsProblem[] = [];
    if (tokenRef !== undefined && spec.secrets.provider !== 'external-secrets') {
      problems.push({ path: ['tokenRef'], message: `needs secrets.provider external-secrets (got "${spec.secrets.provider}"). Remove tokenRef or read secrets through external-secrets.` });
    } else if (tokenRef !== undefined && !(tokenRef in spec.secrets.refs)) {
      problems.push({ path: ['tokenRef'], message: `"${tokenRef}" names no entry of secrets.refs (known: ${Object.keys(spec.secrets.refs).join(', ') || 'none'}). Add it to secrets.refs.` });
    }
    return problems;
  },
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
    let secretEnv: SecretEnv | undefined;
    if (settings.tokenRef !== undefined) {
      const token = new ExternalSecret(chart, 'token', {
        name: `${NAME}-token`,
        labels: app,
        store: spec.secrets.store,
        data: [{ secretKey: 'token', remoteKey: spec.secrets.refs[settings.tokenRef] }],
        // Before the Deployment that reads it: a pod whose Secret is missing never becomes ready.
        annotations: syncWave(Wave.Operators),
      });
      secretEnv = { secretName: token.secretName, keys: { API_TOKEN: 'token' } };
    }
    const service = new HttpService(chart, 'service', {
      secretEnv,
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
