import { Construct } from 'constructs';
import { Consumer, ConsumerSpecAckPolicy, ConsumerSpecDeliverPolicy, ConsumerSpecReplayPolicy } from '../../../imports/jetstream.nats.io';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, standardLabels } from '../../core/labels';
import { goDuration } from '../../core/units';
import { kubernetesName } from './nats-stream';

export interface NatsConsumerProps {
  readonly labels: AppLabels;
  /**
   * Annotations of the custom resource (the Consumer), such as its sync wave.
   * @default - none
   */
  readonly customResourceAnnotations?: Record<string, string>;
  /** @default 'nats' */
  readonly namespace?: string;
  /** The stream the consumer reads. */
  readonly streamName: string;
  /** Durable name: letters, digits, "_" and "-". */
  readonly durableName: string;
  /** Only messages on this subject. @default - every subject of the stream */
  readonly filterSubject?: string;
  /** How long a delivered message may stay unacknowledged before it is delivered again. @default '30s' */
  readonly ackWait?: string;
  /** Deliveries of one message before the server stops redelivering it. @default 5 */
  readonly maxDeliver?: number;
  /** Delivered, unacknowledged messages at most. @default 1000 */
  readonly maxAckPending?: number;
  /** NATS URL the NACK controller manages the consumer through. */
  readonly server: string;
}

/**
 * A durable pull consumer with explicit acknowledgement, as a NACK `Consumer` object: a message
 * fetched and not acknowledged within `ackWait` is delivered again, up to `maxDeliver` times.
 * Pull (no deliver subject) lets any number of workers share it and fetch at their own pace.
 *
 * @see https://docs.nats.io/nats-concepts/jetstream/consumers
 */
export class NatsConsumer extends Construct {
  public readonly ackWait: string;
  public readonly maxDeliver: number;
  public readonly maxAckPending: number;

  constructor(scope: Construct, id: string, props: NatsConsumerProps) {
    super(scope, id);
    this.ackWait = props.ackWait ?? '30s';
    this.maxDeliver = props.maxDeliver ?? 5;
    this.maxAckPending = props.maxAckPending ?? 1000;
    if (!Number.isInteger(this.maxDeliver) || this.maxDeliver < 1) {
      throw new Error(`NATS consumer ${props.durableName} maxDeliver must be a whole number of at least 1 (got ${this.maxDeliver}). Unlimited redelivery repeats a message that always fails forever.`);
    }
    new Consumer(this, 'Resource', {
      metadata: {
        name: `consumer-${kubernetesName(props.streamName)}-${kubernetesName(props.durableName)}`,
        namespace: props.namespace ?? 'nats',
        labels: standardLabels(props.labels),
        annotations: unlessEmpty(props.customResourceAnnotations),
      },
      spec: {
        streamName: props.streamName,
        durableName: props.durableName,
        filterSubject: props.filterSubject || undefined,
        deliverPolicy: ConsumerSpecDeliverPolicy.ALL,
        ackPolicy: ConsumerSpecAckPolicy.EXPLICIT,
        ackWait: goDuration(this.ackWait),
        maxDeliver: this.maxDeliver,
        maxAckPending: this.maxAckPending,
        replayPolicy: ConsumerSpecReplayPolicy.INSTANT,
        servers: [props.server],
      },
    });
  }
}
