/**
 * Built-in alert sets: the alerts and recording rules gitplane ships for each platform
 * component, each alert with the data of its own `promtool test rules` unit test beside it.
 */
import { AlertDefinition } from '../alert';
import { RecordingRuleProps } from '../recording-rule';

/** One input series of a promtool unit test, in promtool's expanding notation (`0+1x30`). */
export interface SeriesInput {
  readonly series: string;
  readonly values: string;
}

/**
 * What the alert's unit test feeds Prometheus and expects back. Annotations are expected exactly
 * as the alert renders them, so summaries and descriptions only use `{{ $labels.<name> }}`.
 */
export interface AlertTest {
  /**
   * Sample and evaluation interval of the test. An alert that waits days needs no longer one:
   * series that start just short of its threshold reach it in minutes (see `cronJobSeries`).
   * @default '1m'
   */
  readonly interval?: string;
  /** Input series of the case in which the alert fires. */
  readonly series: readonly SeriesInput[];
  /** Evaluation time at which the alert fires, e.g. `20m`. */
  readonly firesAt: string;
  /**
   * An earlier evaluation time of the same series at which the alert does not fire yet, e.g. `60m`
   * when it fires at `61m`: with `firesAt`, it pins the threshold and `for` to one interval.
   * @default - not checked
   */
  readonly notYetAt?: string;
  /** Labels the expression gives the firing alert (severity and rule labels are added). */
  readonly labels: Record<string, string>;
  /**
   * The case in which the alert stays silent: other series (healthy ones) or the same series at
   * an earlier time. Only an alert that always fires, the Watchdog, has none.
   */
  readonly quiet?: { readonly series?: readonly SeriesInput[]; readonly at: string };
}

export interface BuiltinAlert extends AlertDefinition {
  readonly test: AlertTest;
}

/** What a recording rule's unit test feeds Prometheus and the samples it must record. */
export interface RecordTest {
  /** Raw input series, sampled every minute. Rules of lower levels are evaluated from them too. */
  readonly series: readonly SeriesInput[];
  /** Evaluation time of the check, e.g. `10m`. */
  readonly at: string;
  /** Every sample the recorded series holds then: its labels (without the name) and value. */
  readonly samples: readonly { readonly labels: Record<string, string>; readonly value: number }[];
}

export interface BuiltinRecord extends RecordingRuleProps {
  readonly test: RecordTest;
}

export interface AlertSet {
  /** Name of the PrometheusRule and of its rule group, e.g. `gitplane-nodes`. */
  readonly name: string;
  /** The component whose health the set watches, for `app.kubernetes.io/component`-like grouping. */
  readonly component: string;
  /** Recording rules, each with the data of its unit test. @default - none */
  readonly records?: readonly BuiltinRecord[];
  readonly alerts: readonly BuiltinAlert[];
}
