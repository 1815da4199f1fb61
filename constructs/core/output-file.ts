import { Construct } from 'constructs';

export interface OutputFileProps {
  /** Path relative to the environment's output directory, e.g. `runbooks/node-down.md`. */
  readonly path: string;
  /** The file's full content. */
  readonly content: string;
}

/**
 * A file that is not a Kubernetes object (a runbook, a script for hosts) written beside the
 * manifests at synth. Constructs stay pure: they declare the file; synth writes it.
 */
export class OutputFile extends Construct {
  public readonly path: string;
  public readonly content: string;

  constructor(scope: Construct, id: string, props: OutputFileProps) {
    super(scope, id);
    if (props.path.startsWith('/') || props.path.split('/').includes('..')) {
      throw new Error(`OutputFile path must be relative and stay inside the environment's output (got "${props.path}").`);
    }
    this.path = props.path;
    this.content = props.content;
  }
}
