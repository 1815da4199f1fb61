import { Construct } from 'constructs';
import { Stream, StreamSpecDiscard, StreamSpecRetention, StreamSpecStorage } from '../../../imports/jetstream.nats.io';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, standardLabels } from '../../core/labels';
import { goDuration, quantityBytes } from '../../core/units';
import { ACKNOWLEDGED_RECREATE, StreamChange } from './stream-changes';

export interface NatsStreamProps {
  readonly labels: AppLabels;
  /**
   * Annotations of the custom resources (the Stream), such as their sync wave.
   * @default - none
   */
  readonly customResourceAnnotations?: Record<string, string>;
  /** @default 'nats' */
  readonly namespace?: string;
  /** Stream name: letters, digits, "_" and "-". */
  readonly name: string;
  readonly subjects: readonly string[];
  /** Servers of the cluster the stream lives in; the stream's replicas cannot exceed it. */
  readonly clusterReplicas: number;
  /** Copies of the stream, each on another server. @default 3, or the cluster size when smaller */
  readonly replicas?: number;
  /** @default 'limits' */
  readonly retention?: 'limits' | 'interest' | 'workqueue';
  /** Messages older than this are removed, e.g. `72h` or `30d`. @default - kept until another limit */
  readonly maxAge?: string;
  /** Size limit as a Kubernetes quantity, e.g. `2Gi`. @default - unlimited */
  readonly maxBytes?: string;
  /** @default 'file' */
  readonly storage?: 'file' | 'memory';
  /** Messages whose `Nats-Msg-Id` repeats within this window are dropped, e.g. `2m`. @default '2m' */
  readonly duplicateWindow?: string;
  /**
   * Changes nats-server cannot apply in place that the environment accepts to lose the stream's
   * messages for; written on the object, where `gitplane diff` and policy read them.
   * @default - none
   */
  readonly acknowledgedRecreate?: readonly StreamChange[];
  /** NATS URL the NACK controller manages the stream through. */
  readonly server: string;
}

/**
 * A JetStream stream as a NACK `Stream` object: the NACK controller creates it and puts it back
 * when it drifts.
 *
 * @see https://github.com/nats-io/nack
 */
export class NatsStream extends Construct {
  public readonly replicas: number;
  /** The JetStream stream name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: NatsStreamProps) {
    super(scope, id);
    this.replicas = props.replicas ?? Math.min(3, props.clusterReplicas);
    if (this.replicas > props.clusterReplicas) {
      throw new Error(
        `NATS stream ${props.name} replicas must not exceed the cluster's ${props.clusterReplicas} servers (got ${this.replicas}). JetStream keeps each replica on another server; lower the stream's replicas or add servers.`,
      );
    }
    this.name = props.name;
    const objectName = `stream-${kubernetesName(props.name)}`;
    new Stream(this, 'Resource', {
      metadata: {
        name: objectName,
        namespace: props.namespace ?? 'nats',
        labels: standardLabels(props.labels),
        annotations: unlessEmpty({
          ...props.customResourceAnnotations,
          ...(props.acknowledgedRecreate?.length ? { [ACKNOWLEDGED_RECREATE]: JSON.stringify(props.acknowledgedRecreate) } : {}),
        }),
      },
      spec: {
        name: props.name,
        subjects: [...props.subjects],
        storage: STORAGE[props.storage ?? 'file'],
        replicas: this.replicas,
        retention: RETENTION[props.retention ?? 'limits'],
        discard: StreamSpecDiscard.OLD,
        maxAge: props.maxAge ? goDuration(props.maxAge) : undefined,
        maxBytes: props.maxBytes ? quantityBytes(props.maxBytes) : undefined,
        duplicateWindow: goDuration(props.duplicateWindow ?? '2m'),
        servers: [props.server],
        // Deleting the object (or the application) must not delete the messages.
        preventDelete: true,
      },
    });
  }
}

const RETENTION: Record<NonNullable<NatsStreamProps['retention']>, StreamSpecRetention> = {
  limits: StreamSpecRetention.LIMITS,
  interest: StreamSpecRetention.INTEREST,
  workqueue: StreamSpecRetention.WORKQUEUE,
};
const STORAGE: Record<NonNullable<NatsStreamProps['storage']>, StreamSpecStorage> = { file: StreamSpecStorage.FILE, memory: StreamSpecStorage.MEMORY };

/** Kubernetes names are lower case; stream and consumer names often are not (ORDERS). */
export function kubernetesName(natsName: string): string {
  return natsName.toLowerCase().replace(/_/g, '-');
}
