import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppLabels, selectorLabels, standardLabels } from '../core/labels';
import { SecretEnv } from '../core/secret-env';
import { containerSecurity, cpu, IMAGE_PULL_POLICY, memory, withoutConstructAddress } from './secure-defaults';

/** Requests and limits of the service's container. */
export interface ContainerResources {
  /** @default '50m' */
  readonly cpuRequest?: string;
  /** @default '64Mi' */
  readonly memoryRequest?: string;
  /** @default - twice the memory request's default, '128Mi' */
  readonly memoryLimit?: string;
}

export interface HttpServiceProps {
  /** Labels of the application; `name` also names the Deployment, Service and ServiceAccount. */
  readonly app: AppLabels;
  /** Container image, pinned to a tag or a digest. */
  readonly image: string;
  /** Port the container serves HTTP (and, unless `metricsPath` is moved elsewhere, metrics) on. */
  readonly port: number;
  /** @default 1 */
  readonly replicas?: number;
  /** Path answering 200 when the service can take traffic. @default '/' */
  readonly readinessPath?: string;
  /** Path answering 200 while the process is alive. @default - the readiness path */
  readonly livenessPath?: string;
  /** @default - 50m CPU, 64Mi memory requested, 128Mi memory limit */
  readonly resources?: ContainerResources;
  /** Container arguments. @default - the image's own */
  readonly args?: readonly string[];
  /** Plain environment variables (no secrets: mount an ExternalSecret instead). @default - none */
  readonly env?: Record<string, string>;
  /** Environment variables read from a Secret, such as one an ExternalSecret creates. @default - none */
  readonly secretEnv?: SecretEnv;
  /** User the container runs as. @default 65532 */
  readonly runAsUser?: number;
}

/**
 * A stateless HTTP service with gitplane's safe defaults: a Deployment running as non-root with a
 * read-only root filesystem, no privilege escalation, every capability dropped and the
 * RuntimeDefault seccomp profile, requests and a memory limit, readiness and liveness probes, its
 * own ServiceAccount without a mounted token, a Service whose port is named `http`, and with two
 * or more replicas a PodDisruptionBudget and spreading over nodes. Built with cdk8s-plus and the
 * defaults of `secure-defaults.ts`; the PodDisruptionBudget, a kind cdk8s-plus does not model,
 * stays a plain object.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
 */
export class HttpService extends Construct {
  public readonly name: string;
  public readonly replicas: number;
  /** Name of the Service port, for a ServiceMonitor. */
  public readonly portName = 'http';

  constructor(scope: Construct, id: string, props: HttpServiceProps) {
    super(scope, id);
    this.name = props.app.name;
    this.replicas = props.replicas ?? 1;
    if (!Number.isInteger(this.replicas) || this.replicas < 1) throw new Error(`HttpService ${this.name}: replicas must be a whole number of at least 1 (got ${this.replicas}).`);
    const user = props.runAsUser ?? 65532;
    const r = props.resources ?? {};
    const selector = selectorLabels(props.app);
    const metadata = { name: this.name, labels: standardLabels(props.app) };
    const readiness = props.readinessPath ?? '/';

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata,
      replicas: this.replicas,
      select: false,
      podMetadata: { labels: standardLabels(props.app) },
      serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user, group: user },
      containers: [
        {
          name: this.name,
          image: props.image,
          imagePullPolicy: IMAGE_PULL_POLICY,
          args: props.args ? [...props.args] : undefined,
          envVariables: {
            ...Object.fromEntries(Object.entries(props.env ?? {}).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)])),
            ...(props.secretEnv ? secretEnvValues(this, props.secretEnv) : {}),
          },
          ports: [{ name: this.portName, number: props.port, protocol: kplus.Protocol.TCP }],
          readiness: kplus.Probe.fromHttpGet(readiness, { port: props.port, periodSeconds: Duration.seconds(10) }),
          liveness: kplus.Probe.fromHttpGet(props.livenessPath ?? readiness, { port: props.port, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(20), failureThreshold: 3 }),
          resources: {
            cpu: { request: cpu(r.cpuRequest ?? '50m') },
            memory: { request: memory(r.memoryRequest ?? '64Mi'), limit: memory(r.memoryLimit ?? '128Mi') },
          },
          securityContext: containerSecurity(user),
        },
      ],
    });
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    withoutConstructAddress(deployment);
    const service = new kplus.Service(this, 'Service', { metadata, ports: [{ name: this.portName, port: props.port, targetPort: props.port, protocol: kplus.Protocol.TCP }] });
    Object.entries(selector).forEach(([key, value]) => service.selectLabel(key, value));
    // cdk8s-plus writes `externalIPs: []`, which the API server drops: Argo CD would show the
    // Service out of sync forever.
    ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
    if (this.replicas > 1) {
      // cdk8s-plus spreads with pod anti-affinity; a topology spread constraint is softer and exact.
      ApiObject.of(deployment).addJsonPatch(
        JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }]),
      );
      new ApiObject(this, 'PodDisruptionBudget', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } });
    }
  }
}

/** The container environment that reads a SecretEnv's keys. */
function secretEnvValues(scope: Construct, secretEnv: SecretEnv): Record<string, kplus.EnvValue> {
  const secret = kplus.Secret.fromSecretName(scope, 'SecretEnv', secretEnv.secretName);
  return Object.fromEntries(Object.entries(secretEnv.keys).map(([name, key]) => [name, kplus.EnvValue.fromSecretValue({ secret, key })]));
}
