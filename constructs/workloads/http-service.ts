import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, selectorLabels, standardLabels } from '../core/labels';
import { SecretEnv, secretEnvVars } from '../core/secret-env';

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
 * or more replicas a PodDisruptionBudget and spreading over nodes.
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
    const probe = (path: string) => ({ httpGet: { path, port: this.portName } });

    new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false });
    new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: standardLabels(props.app) },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: user, runAsGroup: user, seccompProfile: { type: 'RuntimeDefault' } },
            ...(this.replicas > 1
              ? { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }] }
              : {}),
            containers: [
              {
                name: this.name,
                image: props.image,
                args: props.args ? [...props.args] : undefined,
                env: props.env || props.secretEnv ? [...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })), ...(props.secretEnv ? secretEnvVars(props.secretEnv) : [])] : undefined,
                ports: [{ name: this.portName, containerPort: props.port, protocol: 'TCP' }],
                readinessProbe: { ...probe(readiness), periodSeconds: 10 },
                livenessProbe: { ...probe(props.livenessPath ?? readiness), initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
                resources: {
                  requests: { cpu: r.cpuRequest ?? '50m', memory: r.memoryRequest ?? '64Mi' },
                  limits: { memory: r.memoryLimit ?? '128Mi' },
                },
                securityContext: { runAsNonRoot: true, runAsUser: user, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    });
    new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { selector, ports: [{ name: this.portName, port: props.port, targetPort: this.portName, protocol: 'TCP' }] },
    });
    if (this.replicas > 1) {
      new ApiObject(this, 'PodDisruptionBudget', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } });
    }
  }
}
