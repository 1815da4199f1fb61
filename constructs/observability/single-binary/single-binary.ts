import { createHash } from 'node:crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, selectorLabels, standardLabels } from '../../core/labels';
import { SecretEnv, secretEnvVars } from '../../core/secret-env';
import { HEADLESS_LABEL } from '../service-monitor';

/** A port the binary listens on, published by both Services under the same name. */
export interface ServicePort {
  readonly name: string;
  readonly port: number;
}

export interface SingleBinaryProps {
  /** Name of the StatefulSet, its client Service and its ConfigMap; `<name>-headless` for the headless Service. */
  readonly name: string;
  readonly labels: AppLabels;
  /** `repository:tag`. */
  readonly image: string;
  /** File name inside the ConfigMap, mounted at `/etc/<name>/<configFile>`. */
  readonly configFile: string;
  /** The rendered configuration file. */
  readonly config: string;
  /** Arguments; `{config}` is replaced by the mounted config file's path. */
  readonly args: readonly string[];
  readonly ports: readonly ServicePort[];
  /** Name of the port whose `/ready` the readiness probe calls. */
  readonly readyPort: string;
  /** Size of the data volume, mounted at `/var/<name>`. */
  readonly storageSize: string;
  /** User and group the binary runs as. */
  readonly runAsUser: number;
  /** Credentials from a Secret, e.g. object-store keys. @default - none */
  readonly secretEnv?: SecretEnv;
  /** Further environment variables of the container, as Kubernetes `env` entries. @default - none */
  readonly env?: readonly Record<string, unknown>[];
  /** @default { cpu: '100m', memory: '256Mi' } */
  readonly requests?: { readonly cpu: string; readonly memory: string };
  /** @default { memory: '1Gi' } */
  readonly memoryLimit?: string;
  /** Annotations of every object, such as a sync wave. */
  readonly annotations?: Record<string, string>;
}

/**
 * One replica of a single-binary ("monolithic") Grafana database: a ConfigMap with its config, a
 * StatefulSet with one data volume, a headless Service for the StatefulSet and a client Service.
 * Loki and Tempo both ship this way. The PVC is named `data-<name>-0`, pinned by the StatefulSet
 * name and the claim template name: renaming either loses the data.
 */
export class SingleBinaryStatefulSet extends Construct {
  public readonly name: string;
  public readonly dataPath: string;
  public readonly configPath: string;

  constructor(scope: Construct, id: string, props: SingleBinaryProps) {
    super(scope, id);
    if (!props.ports.some((p) => p.name === props.readyPort)) {
      throw new Error(`SingleBinaryStatefulSet ${props.name}: readyPort "${props.readyPort}" is not one of its ports (${props.ports.map((p) => p.name).join(', ') || 'none'}). Name the port whose /ready the readiness probe calls.`);
    }
    this.name = props.name;
    this.dataPath = `/var/${props.name}`;
    this.configPath = `/etc/${props.name}/${props.configFile}`;
    const metadata = (name: string) => ({ name, labels: standardLabels(props.labels), annotations: unlessEmpty(props.annotations) });
    const selector = selectorLabels(props.labels);
    const servicePorts = props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' }));

    new ApiObject(this, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(props.name), data: { [props.configFile]: props.config } });
    new ApiObject(this, 'Headless', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...metadata(`${props.name}-headless`), labels: { ...standardLabels(props.labels), [HEADLESS_LABEL]: 'true' } },
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector, ports: servicePorts },
    });
    new ApiObject(this, 'Service', { apiVersion: 'v1', kind: 'Service', metadata: metadata(props.name), spec: { type: 'ClusterIP', selector, ports: servicePorts } });
    new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(props.name), automountServiceAccountToken: false });

    const secretEnv = props.secretEnv;
    new ApiObject(this, 'StatefulSet', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: metadata(props.name),
      spec: {
        replicas: 1,
        serviceName: `${props.name}-headless`,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: standardLabels(props.labels), annotations: { 'gitplane.dev/config-hash': configHash(props.config) } },
          spec: {
            serviceAccountName: props.name,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: props.runAsUser,
              runAsGroup: props.runAsUser,
              fsGroup: props.runAsUser,
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 300,
            containers: [
              {
                name: props.name,
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                args: unlessEmpty(props.args.map((a) => a.replace('{config}', this.configPath))),
                ports: props.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
                env: unlessEmpty([...(secretEnv ? secretEnvVars(secretEnv) : []), ...(props.env ?? [])]),
                readinessProbe: { httpGet: { path: '/ready', port: props.readyPort }, initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 1 },
                livenessProbe: { tcpSocket: { port: props.readyPort }, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 },
                resources: { requests: props.requests ?? { cpu: '100m', memory: '256Mi' }, limits: { memory: props.memoryLimit ?? '1Gi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [
                  { name: 'config', mountPath: `/etc/${props.name}`, readOnly: true },
                  { name: 'data', mountPath: this.dataPath },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: props.name } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: standardLabels(props.labels) },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: props.storageSize } } },
          },
        ],
      },
    });
  }
}

/** A short content hash, so a config change rolls the pods. */
export function configHash(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}
